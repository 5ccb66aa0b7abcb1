"""The Dag Hammarskjöld Library's pages on un.org: the Veto List and yearly meetings tables."""
