"""The `incidentlog` command line: the outermost layer, over the store and the API."""
