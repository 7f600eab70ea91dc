"""What a signed-in user may see: the Resident Coordinator's scope of UN Country Teams."""


def visible_uncts(user):
    """The UN Country Teams `user` may see: None for the Office (every team), else the
    Resident Coordinator's own teams."""
    return None if user.is_staff else list(user.uncts)


def visible_unct_ids(user):
    """The ids of `visible_uncts(user)`: None for the Office (every team)."""
    uncts = visible_uncts(user)
    return None if uncts is None else tuple(u.id for u in uncts)


def visible_unct_choices(user, choices):
    """The (iso3, name) choices among the teams `user` may see."""
    uncts = visible_uncts(user)
    if uncts is None:
        return choices
    own = {u.iso3 for u in uncts}
    return [pair for pair in choices if pair[0] in own]
