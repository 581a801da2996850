"""What a running process tells its operators: its logs (and, later, its metrics)."""
