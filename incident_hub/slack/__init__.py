"""Inbound Slack: the ``/incident`` slash command and notice buttons, signature verified.

``verify`` checks Slack's v0 signature and makes a replayed request a no-op; ``views`` holds the
two routes and maps each command onto the same service functions the web and API use;
``replies`` builds the ephemeral Block Kit answers.
"""
