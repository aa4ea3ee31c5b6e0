from roadmap.ui.guard import page_setup, sign_in_prompt

page_setup("sign_in")

sign_in_prompt()
