from county_net import create_app
from county_net.repeats.text import warm_up

app = create_app()
warm_up()  # the word segmenter's dictionary (about a second), before the first clerk's preview, not during it
