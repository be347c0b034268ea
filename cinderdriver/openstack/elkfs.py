# ElkFS volume driver for OpenStack Cinder.
#
# Volumes are files of an ElkFS file system: snapshots and clones are the file system's
# own copy-on-write snapshots (instant, whatever the size), and volumes are attached over
# iSCSI from mfsiscsid, which reads and writes chunks straight from the chunkservers.
# Every operation is one call of `mfsvolume --json`; this class only translates.
#
# cinder.conf:
#   [elkfs]
#   volume_driver = cinder.volume.drivers.elkfs.ElkFSDriver   (or elkfs.ElkFSDriver on PYTHONPATH)
#   volume_backend_name = elkfs
#   elkfs_master_host = mfsmaster
#   elkfs_volumes_path = /volumes
#   elkfs_use_chap = true

import json
import subprocess

from oslo_concurrency import processutils
from oslo_config import cfg
from oslo_log import log as logging

from cinder.common import constants
from cinder import exception
from cinder.i18n import _
from cinder import interface
from cinder.volume import configuration
from cinder.volume import driver
from cinder.volume import volume_utils

LOG = logging.getLogger(__name__)

elkfs_opts = [
    cfg.StrOpt('elkfs_mfsvolume_path', default='mfsvolume',
               help='The mfsvolume program.'),
    cfg.HostAddressOpt('elkfs_master_host', default='mfsmaster',
                       help='The ElkFS master.'),
    cfg.PortOpt('elkfs_master_port', default=9421,
                help='The master port for clients.'),
    cfg.StrOpt('elkfs_volumes_path', default='/volumes',
               help='Folder of the file system that holds the volumes.'),
    cfg.IntOpt('elkfs_volumes_goal', default=0, min=0, max=9,
               help='Copies of each chunk of a volume (0: keep the '
                    'folder\'s goal).'),
    cfg.StrOpt('elkfs_iscsid_socket',
               default='/var/lib/mfs/mfsiscsid.sock',
               help='Admin socket of mfsiscsid on this host.'),
    cfg.BoolOpt('elkfs_use_chap', default=True,
                help='Give every volume its own CHAP credentials (made '
                     'once, kept in provider_auth, reused at every attach).'),
    cfg.IntOpt('elkfs_mfsvolume_timeout', default=120, min=1,
               help='Seconds an mfsvolume call may take before it is '
                    'stopped and the operation fails.'),
]

CONF = cfg.CONF
CONF.register_opts(elkfs_opts, group=configuration.SHARED_CONF_GROUP)


class MfsvolumeError(exception.VolumeBackendAPIException):
    message = _("mfsvolume failed: %(reason)s")


@interface.volumedriver
class ElkFSDriver(driver.VolumeDriver):
    """Cinder volumes as ElkFS files, attached over iSCSI (mfsiscsid)."""

    VERSION = '1.0.0'
    CI_WIKI_NAME = 'ElkFS_CI'

    def __init__(self, *args, **kwargs):
        super(ElkFSDriver, self).__init__(*args, **kwargs)
        self.configuration.append_config_values(elkfs_opts)
        self._stats = {}

    @staticmethod
    def get_driver_options():
        return elkfs_opts

    # --- mfsvolume --------------------------------------------------------

    def _command(self, *args):
        c = self.configuration
        cmd = [c.elkfs_mfsvolume_path,
               '-H', c.elkfs_master_host,
               '-P', str(c.elkfs_master_port),
               '-V', c.elkfs_volumes_path,
               '-S', c.elkfs_iscsid_socket,
               '-t', str(c.elkfs_mfsvolume_timeout)]
        if c.elkfs_volumes_goal:
            cmd += ['-g', str(c.elkfs_volumes_goal)]
        return cmd + ['--json'] + [str(a) for a in args]

    def _mfsvolume(self, *args, secret_input=None):
        """Runs mfsvolume; returns its JSON answer or raises MfsvolumeError
        with the error code ('ENOENT', 'EBUSY', 'ETIMEDOUT', ...) in .code.
        secret_input goes to its standard input, never into the arguments
        (which ps and the command log show)."""
        # mfsvolume stops itself at the limit (-t) and says ETIMEDOUT; the
        # wait here is only a backstop for a program that does not.
        kwargs = {'run_as_root': True,
                  'timeout': self.configuration.elkfs_mfsvolume_timeout + 15}
        if secret_input is not None:
            kwargs['process_input'] = secret_input
        try:
            out, _err = self._execute(*self._command(*args), **kwargs)
        except subprocess.TimeoutExpired:
            err = MfsvolumeError(reason='mfsvolume %s took longer than %ss' % (
                args[0], self.configuration.elkfs_mfsvolume_timeout))
            err.code = 'ETIMEDOUT'
            raise err
        except processutils.ProcessExecutionError as e:
            code, reason = None, (e.stderr or e.stdout or str(e)).strip()
            try:
                answer = json.loads(e.stdout or '')
                code, reason = answer.get('code'), answer.get('error', reason)
            except ValueError:
                pass
            err = MfsvolumeError(reason=reason)
            err.code = code
            raise err
        return json.loads(out) if out.strip() else {}

    @staticmethod
    def _size(gib):
        return '%dG' % int(gib)

    # --- setup and stats --------------------------------------------------

    def do_setup(self, context):
        self._mfsvolume('stats')

    def check_for_setup_error(self):
        self._mfsvolume('stats')

    def _copies(self, stats):
        """Copies kept of each volume byte: the configured goal, else the
        volumes folder's (as mfsvolume reports it)."""
        return max(1, self.configuration.elkfs_volumes_goal or
                   int(stats.get('goal') or 1))

    def _update_volume_stats(self):
        try:
            s = self._mfsvolume('stats')
            state = 'up'
        except MfsvolumeError as e:
            # The scheduler must stop choosing this back end, not see stale
            # capacity.
            LOG.warning('ElkFS back end unreachable: %s', e)
            s = {'total_capacity_bytes': 0, 'free_capacity_bytes': 0,
                 'provisioned_capacity_bytes': 0}
            state = 'down'
        # The file system reports raw disk space; a volume byte takes one byte
        # on each of its copies, so Cinder is told usable space.
        usable = float(1 << 30) * self._copies(s)
        backend = self.configuration.safe_get('volume_backend_name')
        self._stats = {
            'volume_backend_name': backend or 'ElkFS',
            'vendor_name': 'ElkFS',
            'driver_version': self.VERSION,
            'storage_protocol': constants.ISCSI,
            'total_capacity_gb': round(s['total_capacity_bytes'] / usable, 2),
            'free_capacity_gb': round(s['free_capacity_bytes'] / usable, 2),
            'provisioned_capacity_gb':
                round(s['provisioned_capacity_bytes'] / float(1 << 30), 2),
            'reserved_percentage':
                self.configuration.safe_get('reserved_percentage') or 0,
            'max_over_subscription_ratio':
                self.configuration.safe_get('max_over_subscription_ratio')
                or 20.0,
            'thin_provisioning_support': True,
            'thick_provisioning_support': False,
            'multiattach': False,
            'QoS_support': False,
            'sparse_copy_volume': True,
            # Every volume is its own target (IQN): no target to share.
            'shared_targets': False,
            'backend_state': state,
        }

    # --- volumes and snapshots --------------------------------------------

    def create_volume(self, volume):
        self._mfsvolume('create', volume.id, self._size(volume.size))

    def delete_volume(self, volume):
        try:
            self._mfsvolume('delete', volume.id)
        except MfsvolumeError as e:
            if e.code == 'ENOENT':
                LOG.info('ElkFS volume %s is already gone', volume.id)
                return
            if e.code == 'EBUSY':
                raise exception.VolumeIsBusy(volume_name=volume.name)
            raise

    def create_snapshot(self, snapshot):
        self._mfsvolume('snapshot', snapshot.volume_id, snapshot.id)

    def delete_snapshot(self, snapshot):
        try:
            self._mfsvolume('delete-snapshot', snapshot.volume_id, snapshot.id)
        except MfsvolumeError as e:
            if e.code != 'ENOENT':
                raise
            LOG.info('ElkFS snapshot %s is already gone', snapshot.id)

    def create_volume_from_snapshot(self, volume, snapshot):
        self._mfsvolume('create-from-snapshot', volume.id, snapshot.volume_id,
                        snapshot.id, self._size(volume.size))

    def create_cloned_volume(self, volume, src_vref):
        self._mfsvolume('clone', volume.id, src_vref.id,
                        self._size(volume.size))

    def extend_volume(self, volume, new_size):
        self._mfsvolume('extend', volume.id, self._size(new_size))

    # --- exports ----------------------------------------------------------

    def create_export(self, context, volume, connector):
        if not self.configuration.elkfs_use_chap:
            return {'provider_auth': None}
        auth = (volume.provider_auth or '').split()
        if len(auth) == 3 and auth[0] == 'CHAP':
            # The volume's credentials stay what they were: an initiator
            # logged in with them (another attachment, a migration) keeps
            # working.
            return {'provider_auth': volume.provider_auth}
        user = volume_utils.generate_username(12)
        secret = volume_utils.generate_password(16)
        return {'provider_auth': 'CHAP %s %s' % (user, secret)}

    def ensure_export(self, context, volume):
        pass

    def remove_export(self, context, volume):
        self._unexport(volume)

    def initialize_connection(self, volume, connector, **kwargs):
        args = ['export', volume.id]
        secret_input = None
        auth = (volume.provider_auth or '').split()
        if len(auth) == 3 and auth[0] == 'CHAP':
            args.append('--chap-stdin')
            secret_input = '%s:%s\n' % (auth[1], auth[2])
        info = self._mfsvolume(*args, secret_input=secret_input)
        data = info['data']
        data['volume_id'] = volume.id
        data.setdefault('target_discovered', False)
        data.setdefault('discard', False)
        if data.get('auth_method') == 'None':
            for key in ('auth_method', 'auth_username', 'auth_password'):
                data.pop(key, None)
        return {'driver_volume_type': 'iscsi', 'data': data}

    def terminate_connection(self, volume, connector, **kwargs):
        self._unexport(volume)

    def _unexport(self, volume):
        try:
            self._mfsvolume('unexport', volume.id)
        except MfsvolumeError as e:
            LOG.info('ElkFS volume %s was not exported: %s', volume.id, e)
