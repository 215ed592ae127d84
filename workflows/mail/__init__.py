"""Notifications by mail (邮件通知): users' choices (`preferences`), the outbox written with
each notification and sent by the scheduler (`outbox`), and the `Sender` interface with its
SMTP implementation (`sender`)."""
