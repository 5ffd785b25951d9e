"""Builds the Chalice app: blueprints and event handlers, nothing else."""

import os

from chalice import Chalice

from chalicelib.api import citizen, public
from chalicelib.api.middleware import log_context
from chalicelib.events import photo_uploads

app = Chalice(app_name="aduan", configure_logs=False)  # Powertools writes the (JSON) logs
app.register_blueprint(public.api.blueprint)
app.register_blueprint(citizen.api.blueprint)
app.register_middleware(log_context, "http")

# The packaged template replaces this ARN with the queue it creates (infra/resources.json).
_UPLOAD_QUEUE_ARN = os.environ.get("PHOTO_UPLOAD_QUEUE_ARN",
                                   "arn:aws:sqs:ap-southeast-3:000000000000:aduan-dev-photo-uploads")


@app.on_sqs_message(queue_arn=_UPLOAD_QUEUE_ARN, batch_size=10)
def process_photo_uploads(event):  # type: ignore[no-untyped-def]
    return photo_uploads.handle(event.to_dict())
