"""The UN Digital Library: voting records (MARCXML) and the Library's voting dataset."""
