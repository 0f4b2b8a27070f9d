"""The exchange centre (上报中心): feed the national and provincial platforms of record.

A core mechanism, like the ledger registry: domains declare one :class:`Adapter` per
target platform in their ``exchange.py``; this app keeps each record's upload state,
the outbox of record versions to send, the messages and receipts, and sends them in a
background job (:mod:`zhujian.exchange.engine`). It never imports a domain.
"""
