"""The names of the UN sources, as every record, finding, veto and archive names them.

One home for them: the scrapers name what they read by these, the database files facts
under them, and the reports filter on them (``tracker check --source``)."""

from __future__ import annotations

import re

SOURCE_VETO_LIST = "dhl-veto-list"  # the Dag Hammarskjöld Library's Veto List
SOURCE_MEETINGS = "dhl-meetings"  # the Library's meetings and outcomes tables
SOURCE_VOTES = "undl-votes"  # the UN Digital Library's voting records
SOURCE_DOCUMENTS = "undl-documents"  # the Digital Library's document records (drafts)
SOURCE_DATASET = "undl-dataset"  # the Digital Library's voting dataset (CSV)
SOURCE_PRESS = "press-releases"  # UN press releases (meetings coverage)
SOURCE_RECORDS = "meeting-records"  # the verbatim meeting records (S/PV)
# A veto read from a roll call (a permanent member's "no" on a draft with the votes to
# pass), beside the two sources that print vetoes
VETO_FROM_ROLL_CALL = "roll-call"

# The path of a Council press release: /en/{year}/sc{number}.doc.htm (press.un.org; 2018:
# /press/en/2018/sc13296.doc.htm), its year and number; the feed lists them, the source
# fetches them, provenance names them.
PRESS_RELEASE_PATH = re.compile(r"/en/(\d{4})/sc(\d{1,6})\.doc\.htm$", re.IGNORECASE)
