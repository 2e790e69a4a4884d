"""The editors' review inbox (#23): failed turns of real conversations, taught back into YAML."""
