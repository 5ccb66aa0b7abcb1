"""Reports: functions that read the database and return pandas DataFrames."""
