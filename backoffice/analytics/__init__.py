"""Bureau insight (#23): figures computed from Rasa's tracker events and the back-office records."""
