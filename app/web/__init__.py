"""HTTP around the blueprints: origins, proxies, headers, sessions, limits on
password attempts."""
