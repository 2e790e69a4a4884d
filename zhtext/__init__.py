"""Chinese input parsing shared by the gateway, the action server and the back office."""
