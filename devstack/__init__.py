"""The local stack: moto server, provisioning, demo seed and pollers. Never packaged to Lambda."""
