#!/usr/bin/python3
# A stand-in for mfsvolume in the driver's unit tests: the same command line, the same
# JSON answers and error codes, state in a JSON file ($FAKE_MFSVOLUME_STATE), every call
# appended to $FAKE_MFSVOLUME_LOG.
import json
import os
import signal
import sys
import time

G = 1 << 30


def size(text):
    units = {'K': 1 << 10, 'M': 1 << 20, 'G': G, 'T': 1 << 40}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


def fail(code, message):
    print(json.dumps({'error': message, 'code': code}))
    sys.stderr.write('mfsvolume: %s: %s\n' % (code, message))
    sys.exit(1)


def main(argv):
    with open(os.environ['FAKE_MFSVOLUME_LOG'], 'a') as log:
        log.write(json.dumps(argv) + '\n')
    if '-t' in argv:  # mfsvolume's time limit: the same answer when it passes
        def expired(_signum, _frame):
            fail('ETIMEDOUT', 'mfsvolume: time limit (-t) reached')
        signal.signal(signal.SIGALRM, expired)
        signal.alarm(int(argv[argv.index('-t') + 1]))
    if os.environ.get('FAKE_MFSVOLUME_SLEEP'):
        time.sleep(float(os.environ['FAKE_MFSVOLUME_SLEEP']))
    if os.environ.get('FAKE_MFSVOLUME_DOWN'):
        fail('EIO', 'cannot reach the master')
    args, i = [], 0
    while i < len(argv):
        if argv[i] == '--chap-stdin':
            args.append(('chap', sys.stdin.readline().strip()))
            i += 1
            continue
        if argv[i] in ('-H', '-P', '-V', '-S', '-g', '-c', '-t', '--chap'):
            if argv[i] == '--chap':
                args.append(('chap', argv[i + 1]))
            i += 2
            continue
        if argv[i] != '--json':
            args.append(argv[i])
        i += 1
    chap = [a[1] for a in args if isinstance(a, tuple)]
    args = [a for a in args if not isinstance(a, tuple)]
    path = os.environ['FAKE_MFSVOLUME_STATE']
    state = {'volumes': {}, 'snapshots': {}, 'exports': {}}
    if os.path.exists(path):
        with open(path) as f:
            state = json.load(f)
    vols, snaps, exports = state['volumes'], state['snapshots'], state['exports']
    cmd, rest = args[0], args[1:]
    out = {}
    if cmd == 'create':
        if rest[0] in vols:
            fail('EEXIST', 'volume %s exists' % rest[0])
        vols[rest[0]] = size(rest[1])
        out = {'name': rest[0], 'size': vols[rest[0]]}
    elif cmd == 'delete':
        if rest[0] not in vols:
            fail('ENOENT', 'no volume ' + rest[0])
        if any(k.startswith(rest[0] + '/') for k in snaps):
            fail('EBUSY', 'volume %s has snapshots' % rest[0])
        del vols[rest[0]]
        out = {'deleted': rest[0]}
    elif cmd == 'snapshot':
        if rest[0] not in vols:
            fail('ENOENT', 'no volume ' + rest[0])
        snaps[rest[0] + '/' + rest[1]] = vols[rest[0]]
        out = {'name': rest[1], 'volume': rest[0]}
    elif cmd == 'delete-snapshot':
        if snaps.pop(rest[0] + '/' + rest[1], None) is None:
            fail('ENOENT', 'no snapshot')
        out = {'deleted': rest[1]}
    elif cmd in ('create-from-snapshot', 'clone'):
        src = snaps.get(rest[1] + '/' + rest[2]) if cmd != 'clone' else vols.get(rest[1])
        if src is None:
            fail('ENOENT', 'no source')
        vols[rest[0]] = max(src, size(rest[-1]))
        out = {'name': rest[0], 'size': vols[rest[0]]}
    elif cmd == 'extend':
        if size(rest[1]) < vols[rest[0]]:
            fail('EINVAL', 'volumes only grow')
        vols[rest[0]] = size(rest[1])
        out = {'name': rest[0], 'size': vols[rest[0]]}
    elif cmd == 'stats':
        out = {'total_capacity_bytes': 100 * G, 'free_capacity_bytes': 60 * G,
               'provisioned_capacity_bytes': sum(vols.values()),
               'volume_count': len(vols), 'goal': 2}
    elif cmd == 'export':
        if rest[0] not in vols:
            fail('ENOENT', 'no volume ' + rest[0])
        data = {'target_discovered': False, 'target_portal': '127.0.0.1:3260',
                'target_iqn': 'iqn.2026-11.org.elkfs:volume-' + rest[0],
                'target_lun': 0, 'volume_id': rest[0], 'discard': False,
                'auth_method': 'None'}
        if chap:
            user, secret = chap[0].split(':', 1)
            data.update(auth_method='CHAP', auth_username=user,
                        auth_password=secret)
        exports[rest[0]] = data
        out = {'driver_volume_type': 'iscsi', 'data': data}
    elif cmd == 'unexport':
        if exports.pop(rest[0], None) is None:
            fail('EINVAL', 'volume %s is not exported' % rest[0])
        out = {'unexported': rest[0]}
    else:
        fail('EINVAL', 'unknown command ' + cmd)
    with open(path, 'w') as f:
        json.dump(state, f)
    print(json.dumps(out))


if __name__ == '__main__':
    main(sys.argv[1:])
