# Unit tests of the ElkFS Cinder driver on Debian's python3-cinder, against a fake
# mfsvolume (fake_mfsvolume.py). With ELKFS_MFSVOLUME set (and ELKFS_MASTER_HOST/PORT,
# ELKFS_ISCSID_SOCKET), the same tests drive the real mfsvolume of a running cluster.
import json
import os
import shutil
import sys
import tempfile
import types
import unittest
from unittest import mock

from oslo_concurrency import processutils

from cinder import exception
from cinder.volume import configuration as conf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import elkfs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.environ.get('ELKFS_MFSVOLUME')


def execute(*cmd, **kwargs):
    kwargs.pop('run_as_root', None)
    return processutils.execute(*cmd, **kwargs)


def volume(vid, size=1, provider_auth=None):
    return types.SimpleNamespace(id=vid, name='volume-' + vid, size=size,
                                 provider_auth=provider_auth)


def snapshot(sid, vid):
    return types.SimpleNamespace(id=sid, volume_id=vid, name='snapshot-' + sid)


class ElkFSDriverTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        os.environ['FAKE_MFSVOLUME_STATE'] = os.path.join(self.dir, 'state.json')
        os.environ['FAKE_MFSVOLUME_LOG'] = os.path.join(self.dir, 'calls.log')
        c = mock.Mock(spec=conf.Configuration)
        c.elkfs_mfsvolume_path = REAL or os.path.join(HERE, 'fake_mfsvolume.py')
        c.elkfs_master_host = os.environ.get('ELKFS_MASTER_HOST', 'mfsmaster')
        c.elkfs_master_port = int(os.environ.get('ELKFS_MASTER_PORT', '9421'))
        c.elkfs_volumes_path = '/cinder-test-volumes'
        c.elkfs_volumes_goal = 0
        c.elkfs_iscsid_socket = os.environ.get('ELKFS_ISCSID_SOCKET', '/nonexistent')
        c.elkfs_use_chap = True
        c.elkfs_mfsvolume_timeout = 30
        c.safe_get = lambda key: {'volume_backend_name': 'elkfs-test'}.get(key)
        c.append_config_values = mock.Mock()
        self.conf = c
        self.driver = elkfs.ElkFSDriver(configuration=c, execute=execute)
        self.driver.do_setup(None)
        self.id = 'a1b2c3d4-' + os.path.basename(self.dir).replace('_', '-').lower()

    def tearDown(self):
        for name in (self.id, self.id + '-clone', self.id + '-fromsnap'):
            try:
                self.driver._mfsvolume('delete', name, '--with-snapshots')
            except elkfs.MfsvolumeError:
                pass
        shutil.rmtree(self.dir)

    def calls(self):
        path = os.environ['FAKE_MFSVOLUME_LOG']
        if REAL or not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f]

    def test_options_are_registered_like_any_driver(self):
        names = [o.name for o in elkfs.ElkFSDriver.get_driver_options()]
        self.assertIn('elkfs_master_host', names)
        self.assertIn('elkfs_volumes_path', names)
        self.assertIn('elkfs_use_chap', names)
        self.assertTrue(hasattr(elkfs.CONF.backend_defaults,
                                'elkfs_volumes_path'))

    def test_every_call_carries_the_cluster_and_json(self):
        if REAL:
            self.skipTest('call log exists only with the fake')
        self.driver.create_volume(volume(self.id, 2))
        cmd = self.calls()[-1]
        self.assertEqual(cmd[:2], ['-H', self.conf.elkfs_master_host])
        self.assertIn('--json', cmd)
        self.assertEqual(cmd[-3:], ['create', self.id, '2G'])

    def test_volume_life(self):
        v = volume(self.id, 1)
        self.driver.create_volume(v)
        self.driver.extend_volume(v, 2)
        self.driver.create_snapshot(snapshot('s1', self.id))
        # A volume with a snapshot is busy, as Cinder expects.
        self.assertRaises(exception.VolumeIsBusy, self.driver.delete_volume, v)
        self.driver.create_volume_from_snapshot(volume(self.id + '-fromsnap', 3),
                                                snapshot('s1', self.id))
        self.driver.create_cloned_volume(volume(self.id + '-clone', 2), v)
        self.driver.delete_snapshot(snapshot('s1', self.id))
        self.driver.delete_snapshot(snapshot('s1', self.id))  # gone: no error
        self.driver.delete_volume(v)
        self.driver.delete_volume(v)  # gone: no error
        stats = self.driver.get_volume_stats(refresh=True)
        self.assertEqual(stats['storage_protocol'], 'iSCSI')
        self.assertEqual(stats['volume_backend_name'], 'elkfs-test')
        self.assertTrue(stats['thin_provisioning_support'])
        self.assertGreater(stats['total_capacity_gb'], 0)
        self.assertGreaterEqual(stats['total_capacity_gb'], stats['free_capacity_gb'])

    def test_extend_never_shrinks(self):
        v = volume(self.id, 2)
        self.driver.create_volume(v)
        self.assertRaises(elkfs.MfsvolumeError, self.driver.extend_volume, v, 1)

    def test_attach_with_chap_gives_cinder_connection_info(self):
        v = volume(self.id, 1)
        self.driver.create_volume(v)
        model = self.driver.create_export(None, v, {})
        auth = model['provider_auth'].split()
        self.assertEqual(auth[0], 'CHAP')
        self.assertEqual(len(auth[2]), 16)
        v.provider_auth = model['provider_auth']
        info = self.driver.initialize_connection(v, {'initiator': 'iqn.x'})
        self.assertEqual(info['driver_volume_type'], 'iscsi')
        d = info['data']
        self.assertTrue(d['target_iqn'].endswith(':volume-' + self.id))
        self.assertEqual(d['target_lun'], 0)
        self.assertIn(':', d['target_portal'])
        self.assertEqual(d['auth_method'], 'CHAP')
        self.assertEqual(d['auth_username'], auth[1])
        self.assertEqual(d['auth_password'], auth[2])
        self.assertEqual(d['volume_id'], self.id)
        self.driver.terminate_connection(v, {'initiator': 'iqn.x'})
        self.driver.terminate_connection(v, None)  # already unexported: no error

    def test_attach_without_chap(self):
        self.conf.elkfs_use_chap = False
        v = volume(self.id, 1)
        self.driver.create_volume(v)
        v.provider_auth = self.driver.create_export(None, v, {})['provider_auth']
        d = self.driver.initialize_connection(v, {})['data']
        self.assertNotIn('auth_method', d)
        self.driver.remove_export(None, v)

    def test_chap_secret_never_in_an_argument_list(self):
        v = volume(self.id, 1)
        self.driver.create_volume(v)
        v.provider_auth = self.driver.create_export(None, v, {})['provider_auth']
        secret = v.provider_auth.split()[2]
        seen = []
        real_execute = self.driver._execute

        def spy(*cmd, **kwargs):
            seen.append((cmd, kwargs.get('process_input')))
            return real_execute(*cmd, **kwargs)
        self.driver._execute = spy
        d = self.driver.initialize_connection(v, {'initiator': 'iqn.x'})['data']
        self.assertEqual(d['auth_password'], secret)
        cmd, stdin = seen[-1]
        self.assertFalse(any(secret in arg for arg in cmd), cmd)
        self.assertIn(secret, stdin)
        self.driver.terminate_connection(v, {'initiator': 'iqn.x'})

    def test_chap_credentials_are_kept_across_attaches(self):
        v = volume(self.id, 1)
        self.driver.create_volume(v)
        first = self.driver.create_export(None, v, {})['provider_auth']
        v.provider_auth = first
        self.assertEqual(self.driver.create_export(None, v, {})['provider_auth'],
                         first)
        self.assertNotEqual(
            self.driver.create_export(None, volume('other', 1), {})[
                'provider_auth'], first)

    def test_capacity_is_usable_space_not_raw(self):
        if REAL:
            self.skipTest('the fake reports fixed figures')
        stats = self.driver.get_volume_stats(refresh=True)
        # The fake's file system: 100 GiB raw, 60 GiB free, volumes at goal 2.
        self.assertEqual(stats['total_capacity_gb'], 50)
        self.assertEqual(stats['free_capacity_gb'], 30)
        self.assertFalse(stats['shared_targets'])
        self.assertEqual(stats['backend_state'], 'up')
        self.conf.elkfs_volumes_goal = 3
        self.assertEqual(
            self.driver.get_volume_stats(refresh=True)['free_capacity_gb'], 20)

    def test_an_unreachable_back_end_reports_down(self):
        if REAL:
            self.skipTest('needs the fake')
        os.environ['FAKE_MFSVOLUME_DOWN'] = '1'
        try:
            stats = self.driver.get_volume_stats(refresh=True)
        finally:
            del os.environ['FAKE_MFSVOLUME_DOWN']
        self.assertEqual(stats['backend_state'], 'down')
        self.assertEqual(stats['free_capacity_gb'], 0)

    def test_a_hung_mfsvolume_is_stopped(self):
        if REAL:
            self.skipTest('needs the fake')
        self.conf.elkfs_mfsvolume_timeout = 1
        os.environ['FAKE_MFSVOLUME_SLEEP'] = '5'
        try:
            with self.assertRaises(elkfs.MfsvolumeError) as e:
                self.driver.create_volume(volume(self.id, 1))
        finally:
            del os.environ['FAKE_MFSVOLUME_SLEEP']
        self.assertEqual(e.exception.code, 'ETIMEDOUT')

    def test_errors_carry_mfsvolume_reason(self):
        with self.assertRaises(elkfs.MfsvolumeError) as e:
            self.driver.create_volume_from_snapshot(volume(self.id, 1),
                                                    snapshot('nope', 'nope'))
        self.assertEqual(e.exception.code, 'ENOENT')


if __name__ == '__main__':
    unittest.main(verbosity=2)
