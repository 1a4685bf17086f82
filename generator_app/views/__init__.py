"""Pages: thin views that call a selector or a service and render."""
