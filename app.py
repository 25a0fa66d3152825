from kaohe import create_app

app = create_app()
