# python3-libvirt (Debian's, libvirt 9.0) against tsvirtd: run by test/daemon/python.test.ts with
# URI, a folder for files, the reference folder and how long to stay idle for keepalive.
# Prints one JSON object of what it saw.
import json
import sys
import time

import libvirt

uri, folder, reference, idle = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
out = {}

# An event loop makes the client library negotiate keepalive, as virsh does.
libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open(uri)
out['type'] = conn.getType()
out['names'] = sorted(d.name() for d in conn.listAllDomains())
dom = conn.lookupByName('test')
out['info'] = dom.info()[:4]
out['uuid'] = dom.UUIDString()
out['by_uuid'] = conn.lookupByUUIDString(dom.UUIDString()).name()
out['by_id'] = conn.lookupByID(dom.ID()).name()

with open(reference + '/xml/vm1.xml') as f:
    defined = conn.defineXML(f.read())
out['defined'] = [defined.name(), defined.isActive(), defined.isPersistent()]
defined.create()
out['started'] = defined.state()

path = folder + '/py.save'
dom.save(path)
out['after_save'] = dom.state()
conn.restore(path)
out['after_restore'] = conn.lookupByName('test').state()

try:
    conn.lookupByName('nosuch')
except libvirt.libvirtError as e:
    out['error'] = [e.get_error_code(), e.get_error_domain(), e.get_error_message()]

# Idle with the event loop running: the daemon's keepalive pings must be answered, or it drops us.
deadline = time.time() + idle
while time.time() < deadline:
    libvirt.virEventRunDefaultImpl()
out['alive_after_idle'] = conn.isAlive()
out['names_after_idle'] = sorted(d.name() for d in conn.listAllDomains())
conn.close()
print(json.dumps(out))
