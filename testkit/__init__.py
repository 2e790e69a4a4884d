"""Tools for testers and benchmarks: the live stack, conversation scripts and their runner."""
