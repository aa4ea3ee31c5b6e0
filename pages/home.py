from roadmap.ui.guard import page_setup

actor = page_setup("home")

from roadmap.services import home
from roadmap.ui import home_view, session

home_view.draw(actor, home.home(session.context(), actor))
