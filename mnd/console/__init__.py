"""The staff console: server-rendered Spanish pages over the same services as the API
(`install.py` mounts it on the API's app)."""
