"""The fault suite: drive claims through a running stack while its parts crash, then check nothing was lost."""
