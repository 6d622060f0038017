"""Weekly, coordinated and targeted samples, replacements and claims."""
