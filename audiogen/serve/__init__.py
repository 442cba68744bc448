"""``audiogen serve``: a newsroom's own narration service.

It narrates an article when it is published and again when it is edited (API calls or a
CMS's signed webhooks), hosts the episodes and the podcast feed, and keeps the listening
figures the player sends: everything on the publisher's machine, in its data folder.
The HTTP layer (``app``) needs the ``serve`` extra; the rest does not.
"""
