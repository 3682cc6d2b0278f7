"""X12 5010 plumbing shared by every service that reads or writes X12: delimiters and segments."""
