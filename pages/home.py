from roadmap.ui.guard import page_setup

actor = page_setup("home")

from roadmap.services import home, notifications
from roadmap.ui import home_view, session

ctx = session.context()
home_view.draw(actor, home.home(ctx, actor), notifications.unread_count(ctx, actor))
