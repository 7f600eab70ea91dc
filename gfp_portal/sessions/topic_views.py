"""The Office's topics of training sessions (topics.*): list, add, edit, deactivate, delete an
unused one."""
from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.core.auth import roles_required
from gfp_portal.core.confirm import confirm_then_act
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import save_form
from gfp_portal.extensions import db
from gfp_portal.sessions import topics
from gfp_portal.sessions.models import Topic
from gfp_portal.sessions.topic_forms import TopicForm

bp = Blueprint("topics", __name__, url_prefix="/sessions/topics")


@bp.route("/", methods=["GET", "POST"])
@roles_required("coordinator")
def index():
    form = TopicForm()
    return save_form(
        form, lambda: topics.create_topic(form.values(), actor=current_user),
        done=lambda topic: _("The topic %(name)s is added.", name=topic.title),
        to=url_for("topics.index"),
    ) or render_template("sessions/topics.html", form=form, topics=topics.topics(),
                         used=topics.session_counts(), confirm=ConfirmForm())


@bp.route("/<int:topic_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit(topic_id):
    topic = db.get_or_404(Topic, topic_id)
    form = TopicForm(obj=topic, editing=True)
    return save_form(
        form, lambda: topics.update_topic(topic, form.values(), actor=current_user),
        saved=_("The topic is saved."), to=url_for("topics.index"), record=topic,
    ) or render_template("sessions/topic_form.html", form=form, topic=topic,
                         used=topics.sessions_on(topic))


@bp.route("/<int:topic_id>/delete", methods=["POST"])
@roles_required("coordinator")
def delete(topic_id):
    topic = db.get_or_404(Topic, topic_id)
    return confirm_then_act(
        topics.delete_topic, topic, actor=current_user,
        check=lambda: topics.check_deletable(topic),
        confirmation=lambda: (_("Delete the topic “%(name)s”", name=topic.title), [
            _("Its names in every language are deleted for good. No session has this topic.")]),
        done=_("The topic is deleted."), back=url_for("topics.index"))
