"""The shell around every page: layout, navigation, home, security headers and error pages."""
