"""（五）人防: command-post patrols, higher-level supervision, civil-defence works and 结建."""
