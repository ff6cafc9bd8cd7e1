# python3-libvirt (Debian's, libvirt 9.0) receiving lifecycle events through tsvirtd, as in the reference
# session x3-python-events: connection 1 listens, connection 2 suspends and resumes 'test'; then connection 1
# deregisters and connection 2 suspends and resumes again. Run by test/daemon/events.test.ts with the URI.
# Prints one JSON object of what it saw.
import json
import sys
import threading
import time

import libvirt

uri = sys.argv[1]
libvirt.virEventRegisterDefaultImpl()
stop = False


def loop():
    while not stop:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=loop, daemon=True).start()
seen = []
lock = threading.Condition()


def lifecycle(conn, dom, event, detail, opaque):
    with lock:
        seen.append([opaque, dom.name(), dom.UUIDString(), dom.ID(), event, detail])
        lock.notify_all()


def wait_for(count, timeout=10):
    deadline = time.time() + timeout
    with lock:
        while len(seen) < count and time.time() < deadline:
            lock.wait(deadline - time.time())


listener = libvirt.open(uri)
actor = libvirt.open(uri)
out = {}
out['callback_id'] = listener.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lifecycle, 'listener')
dom = actor.lookupByName('test')
dom.suspend()
dom.resume()
wait_for(2)
out['events'] = list(seen)
listener.domainEventDeregisterAny(out['callback_id'])
dom.suspend()
dom.resume()
# A callback of the actor's own, registered after: once it has heard both, the listener would have too.
actor.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lifecycle, 'actor')
dom.suspend()
dom.resume()
wait_for(4)
out['after_deregister'] = seen[2:]
try:
    listener.domainEventDeregisterAny(out['callback_id'])
except libvirt.libvirtError as e:
    out['deregister_again'] = [e.get_error_code(), e.get_error_domain(), e.get_error_message()]
listener.close()
actor.close()
stop = True
print(json.dumps(out))
