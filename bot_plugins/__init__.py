"""Plugins loaded by the Rasa server (Python 3.10, `.venv-rasa`).

Only the standard library and Rasa itself may be imported here: the Rasa environment has none of
the app's packages. Rasa finds this package because it puts its working directory (the repository
root) on `sys.path`.
"""
