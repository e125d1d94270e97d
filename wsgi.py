from county_net import create_app

app = create_app()
