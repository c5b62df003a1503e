from colony.cli import app

app(prog_name="colony")
