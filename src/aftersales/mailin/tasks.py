from celery import shared_task

from aftersales.mailin import services


@shared_task(name="aftersales.mailin.tasks.mail_poll")
def mail_poll() -> int:
    """Every minute (beat): fetch the active mailboxes and process what came in."""
    return services.mailboxes_poll()


@shared_task(name="aftersales.mailin.tasks.message_process")
def message_process(message_id: int) -> str:
    return services.message_process(message_id).status
