"""perfgate's supervisor: runs a run's commands as process trees that cannot outlive it, and
watches the two checkouts for writes across sides. Started by src/adapters/supervisor.ts;
standard library only; Linux (prctl, /proc, inotify), python3 >= 3.8.

    python3 supervisor.py serve PARENT_PID    run commands (see `serve`)
    python3 supervisor.py watch PARENT_PID    watch checkouts (see `watch`)

Messages both ways are frames: the payload's length in decimal and a newline, then the payload,
fields separated by NUL (no command line, path or environment entry can hold one). Frames that
more than one process writes onto the same pipe are single writes under PIPE_BUF (4096 bytes),
so they never interleave.

Process tree of `serve`:

    perfgate (node) -> supervisor (subreaper) -> runner, one per command (subreaper, leads the
    command's process group) -> shell -> ...

A runner is a fork of the supervisor, which stays small (no json, no tempfile: the runner's size
is the floor of the `rss` it reports, as the kernel carries a process's peak over exec). Whatever
a command starts comes back to its runner when its parent dies (setsid, double fork, nohup), so
when the shell exits, "nothing left" is one waitid() call, and what is left is found, named and
killed. A command that kills its runner (`kill -9 $PPID`) hands its processes to the supervisor,
which kills them and reports the command `lost`. perfgate finds what escapes both (a command that
kills the supervisor too) by the environment variable every command carries.
"""

import os
import select
import sys
import time

import _signal as signal

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
STOP = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
MAX_NAMES = 3
NAME_CHARS = 120
UNKILLED_EXIT = 4

try:
    import ctypes

    _libc = ctypes.CDLL(None, use_errno=True)
except (ImportError, OSError):  # pragma: no cover - no ctypes or no libc: no subreaper, no inotify
    ctypes = None
    _libc = None


def prctl(option, value):
    """prctl(2) with one argument; False when it is unavailable."""
    if _libc is None:
        return False
    return _libc.prctl(option, value, 0, 0, 0) == 0


def trim_heap():
    """
    Returns freed heap to the system (glibc's malloc_trim): a runner is a fork of the
    supervisor, and the anonymous memory it inherits is the floor of every `rss` it reports.
    Compiling this file leaves about a megabyte of freed heap behind; each request a little.
    """
    if _libc is not None and hasattr(_libc, 'malloc_trim'):
        _libc.malloc_trim(0)


def send(*fields):
    """Writes one frame on stdout (one write; a reader that is gone is not an error)."""
    parts = [f if isinstance(f, bytes) else str(f).encode('utf-8', 'surrogateescape') for f in fields]
    payload = b'\0'.join(parts)
    try:
        os.write(1, b'%d\n' % len(payload) + payload)
    except OSError:
        pass


class Frames:
    """Splits a byte stream into frames (lists of fields)."""

    def __init__(self):
        self.buffer = b''

    def feed(self, data):
        self.buffer += data
        frames = []
        while True:
            newline = self.buffer.find(b'\n')
            if newline < 0:
                break
            size = int(self.buffer[:newline])
            end = newline + 1 + size
            if len(self.buffer) < end:
                break
            frames.append(self.buffer[newline + 1:end].split(b'\0'))
            self.buffer = self.buffer[end:]
        return frames


def exit_code(status):
    """The wait status as an exit code, or minus the signal number (os.waitstatus_to_exitcode, 3.9+)."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


# --- /proc: the one walker of this program ---------------------------------------------------


def process_table():
    """{pid: (ppid, state)} of every process (empty without /proc)."""
    table = {}
    try:
        names = os.listdir('/proc')
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open('/proc/' + name + '/stat', 'rb') as f:
                stat = f.read()
            fields = stat[stat.rindex(b')') + 2:].split()
            table[int(name)] = (int(fields[1]), fields[0])
        except (OSError, ValueError, IndexError):
            continue  # exited meanwhile
    return table


def descendants(root, exclude=(), table=None):
    """Live descendants of `root`, leaving out the subtrees of `exclude`."""
    if table is None:
        table = process_table()
    out = []
    for pid, (_, state) in table.items():
        if state in (b'Z', b'X') or pid in exclude:
            continue
        p, hops = pid, 0
        while p in table and hops < 4096:
            p, hops = table[p][0], hops + 1
            if p in exclude:
                break
            if p == root:
                out.append(pid)
                break
    return out


def describe(pid):
    """`command line (pid N)`, or None when it has none (exiting, or a kernel thread)."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            text = f.read().replace(b'\0', b' ').decode('utf-8', 'replace')
    except OSError:
        return None
    text = ' '.join(text.split())
    return '%s (pid %d)' % (text[:NAME_CHARS], pid) if text else None


def kill_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except OSError:
            pass


def has_children():
    """Whether this process has any child, exited or not (one system call)."""
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        return True
    except ChildProcessError:
        return False


def stop_descendants(root, reap, exclude=(), seconds=5.0):
    """
    Kills every descendant of `root` (but `exclude`'s subtrees) until none is left, calling
    `reap` between passes; `root` must be their subreaper. Returns (names of up to MAX_NAMES of
    them, whether all are gone). Named before they are killed, in every pass: a process caught
    while exiting has no command line, but what it started (a double fork) shows up in a later
    pass. A pass that sees no live descendant is not the end while `root` still has a child
    (but `exclude`): a zombie's last fork may have come after the pass listed /proc.
    """
    shown, unnamed = {}, []
    until = time.monotonic() + seconds
    gone = False
    while time.monotonic() < until:
        reap()
        table = process_table()
        pids = descendants(root, exclude, table)
        if not pids and not any(ppid == root and pid not in exclude for pid, (ppid, _) in table.items()):
            gone = True
            break
        for p in pids:
            if len(shown) < MAX_NAMES and p not in shown:
                name = describe(p)
                if name:
                    shown[p] = name
                elif p not in unnamed:
                    unnamed.append(p)
        kill_all(pids, signal.SIGKILL)
        time.sleep(0.002)
    names = list(shown.values()) or ['? (pid %d)' % p for p in unnamed[:MAX_NAMES]]
    return names, gone


# --- serve: commands ---------------------------------------------------------------------------


def exec_command(shell, command, cwd, env, out_fd, err_fd):
    """In the command's process: standard streams, default signal dispositions, exec. Never returns."""
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        for sig in (signal.SIGPIPE, signal.SIGXFSZ):  # python ignores these; exec would keep that
            signal.signal(sig, signal.SIG_DFL)
        devnull = os.open('/dev/null', os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)  # every other descriptor of this program is close-on-exec
        os.chdir(cwd)
        os.execve(shell, [shell, '-c', command], env)
    except BaseException as error:  # noqa: B902 - whatever happens, the child must not return
        try:
            os.write(2, ('perfgate: cannot run the command: %s\n' % error).encode('utf-8', 'replace'))
        except OSError:
            pass
    finally:
        os._exit(127)


def runner(supervisor, cid, shell, command, cwd, env, grace, out_fd, err_fd):
    """
    One command, in a fork of the supervisor (STOP and SIGCHLD already blocked: they are taken
    with sigwaitinfo, so no signal is lost between fork and here). Reports `started` and then
    `exit` (wall, cpu, rss KiB, exit code or -signal, names of what was left running); exits 0,
    or UNKILLED_EXIT when something survived SIGKILL for 5 s.
    """
    me = os.getpid()
    os.setpgid(0, 0)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != supervisor:
        os._exit(2)  # the supervisor died while forking this
    send('started', cid, me)
    t0 = time.monotonic()
    child = os.fork()
    if child == 0:
        exec_command(shell, command, cwd, env, out_fd, err_fd)
    os.close(out_fd)
    os.close(err_fd)
    done = {}

    def reap():
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == child:
                done.update(status=status, usage=usage, wall=time.monotonic() - t0)

    waited = STOP | {signal.SIGCHLD}
    stopping, deadline = False, None
    while not done:
        if deadline is None:
            info = signal.sigwaitinfo(waited)
        else:
            info = signal.sigtimedwait(waited, max(0.0, deadline - time.monotonic()))
        if info is None:  # the grace period is over
            kill_all(descendants(me), signal.SIGKILL)
            deadline = None
        elif info.si_signo == signal.SIGCHLD:
            reap()
        elif stopping or info.si_signo == signal.SIGINT:
            stopping, deadline = True, None
            kill_all(descendants(me), signal.SIGKILL)
        else:
            stopping, deadline = True, time.monotonic() + grace
            kill_all(descendants(me), signal.SIGTERM)

    names, gone = [], True
    if has_children():
        names, gone = stop_descendants(me, reap)
    usage = done['usage']
    send(
        'exit',
        cid,
        repr(done['wall']),
        repr(usage.ru_utime + usage.ru_stime),
        usage.ru_maxrss,
        exit_code(done['status']),
        *names,
    )
    os._exit(0 if gone else UNKILLED_EXIT)


class Supervisor:
    """The long-lived process of `serve`: prepares, starts and reaps runners."""

    def __init__(self, parent):
        self.pid = os.getpid()
        self.parent = parent
        base = os.environ.get('TMPDIR') or '/tmp'
        self.tmp = os.path.join(base, 'perfgate-supervisor-%d-%s' % (self.pid, os.urandom(4).hex()))
        self.prepared = {}  # command id -> (shell, command, cwd, env, grace, out, err, paths)
        self.runners = {}  # runner pid -> command id
        self.flags = set()
        self.ended = []  # (runner pid, status) reaped, not yet handled

    def on_signal(self, signo, _frame):
        self.flags.add(signo)

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.runners:
                self.ended.append((pid, status))

    def orphans_gone(self):
        """Kills what came back to the supervisor from dead runners; returns its names."""
        live = set(self.runners) - {pid for pid, _ in self.ended}
        names, _ = stop_descendants(self.pid, self.reap, exclude=live)
        return names

    def handle_ended(self):
        while self.ended:
            pid, status = self.ended.pop(0)
            cid = self.runners.pop(pid)
            if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
                continue
            names = self.orphans_gone()
            if os.WIFEXITED(status) and os.WEXITSTATUS(status) == UNKILLED_EXIT:
                continue  # it reported; what it could not stop came here and was killed again
            how = 'signal %d' % os.WTERMSIG(status) if os.WIFSIGNALED(status) else 'exit %d' % os.WEXITSTATUS(status)
            send('lost', cid, how, *names)

    def prepare(self, fields):
        cid = fields[1].decode()
        shell, command, cwd = fields[2], fields[3], fields[4]
        grace = float(fields[5])
        env = {}
        for entry in fields[6:]:
            key, eq, value = entry.partition(b'=')
            if eq:
                env[key] = value
        try:
            paths, fds = [], []
            for stream in ('out', 'err'):
                path = os.path.join(self.tmp, '%s.%s' % (cid, stream))
                os.mkfifo(path, 0o600)
                paths.append(path)
                # Read-write: never blocks, and perfgate's reader sees no end of file before the
                # command has it.
                fds.append(os.open(path, os.O_RDWR | os.O_CLOEXEC))
        except OSError as error:
            send('error', cid, 'could not create the output pipes: %s' % error)
            return
        self.prepared[cid] = (shell, command, cwd, env, grace, fds[0], fds[1], paths)
        send('fifos', cid, paths[0], paths[1])

    def launch(self, cid):
        shell, command, cwd, env, grace, out_fd, err_fd, paths = self.prepared.pop(cid)
        for path in paths:
            os.unlink(path)
        trim_heap()
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP | {signal.SIGCHLD})
        try:
            pid = os.fork()
        except OSError as error:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            os.close(out_fd)
            os.close(err_fd)
            send('error', cid, 'could not start the command: %s' % error)
            return
        if pid == 0:
            try:
                signal.set_wakeup_fd(-1)
                for other in self.prepared.values():
                    os.close(other[5])
                    os.close(other[6])
                runner(self.pid, cid, shell, command, cwd, env, grace, out_fd, err_fd)
            finally:
                os._exit(2)
        self.runners[pid] = cid
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        os.close(out_fd)
        os.close(err_fd)

    def shutdown(self):
        """Stops every command at once, kills what is left, removes the pipes' directory."""
        kill_all(list(self.runners), signal.SIGINT)
        for entry in self.prepared.values():
            os.close(entry[5])
            os.close(entry[6])
        until = time.monotonic() + 5
        while self.runners and time.monotonic() < until:
            self.reap()
            for pid, _ in self.ended:
                self.runners.pop(pid, None)
            self.ended = []
            time.sleep(0.005)
        kill_all(list(self.runners), signal.SIGKILL)
        stop_descendants(self.pid, self.reap)
        for name in os.listdir(self.tmp):
            os.unlink(os.path.join(self.tmp, name))
        os.rmdir(self.tmp)

    def serve(self):
        prctl(PR_SET_CHILD_SUBREAPER, 1)
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != self.parent:
            return  # perfgate died while starting this
        os.mkdir(self.tmp, 0o700)
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        for sig in STOP | {signal.SIGCHLD}:
            signal.signal(sig, self.on_signal)
        signal.set_wakeup_fd(wake_w)
        trim_heap()
        send('hello', self.pid, self.tmp)
        frames = Frames()
        try:
            while True:
                readable, _, _ = select.select([0, wake_r], [], [])
                if wake_r in readable:
                    try:
                        os.read(wake_r, 512)
                    except BlockingIOError:
                        pass
                if signal.SIGCHLD in self.flags:
                    self.flags.discard(signal.SIGCHLD)
                    self.reap()
                    self.handle_ended()
                if self.flags & STOP:
                    return
                if 0 in readable:
                    data = os.read(0, 1 << 16)
                    if not data:
                        return  # perfgate is gone
                    for fields in frames.feed(data):
                        op = fields[0]
                        if op == b'run':
                            self.prepare(fields)
                        elif op == b'go':
                            self.launch(fields[1].decode())
                        elif op == b'quit':
                            return
        finally:
            self.shutdown()


# --- watch: writes into the checkouts ----------------------------------------------------------

IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x1000000
IN_DONT_FOLLOW = 0x2000000
IN_ISDIR = 0x40000000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
WATCHED = (
    IN_MODIFY
    | IN_ATTRIB
    | IN_CLOSE_WRITE
    | IN_MOVED_FROM
    | IN_MOVED_TO
    | IN_CREATE
    | IN_DELETE
    | IN_DELETE_SELF
    | IN_MOVE_SELF
    | IN_ONLYDIR
    | IN_DONT_FOLLOW
)
# What a write is called, most telling first.
KINDS = [
    (IN_CREATE, 'created'),
    (IN_DELETE | IN_DELETE_SELF, 'deleted'),
    (IN_MOVED_FROM | IN_MOVED_TO | IN_MOVE_SELF, 'moved'),
    (IN_MODIFY, 'modified'),
    (IN_ATTRIB, 'attributes changed'),
    (IN_CLOSE_WRITE, 'opened for writing'),
]
MAX_LISTED = 10


class WatchLimit(Exception):
    """The inotify watch limit (fs.inotify.max_user_watches) was reached."""


class Checkout:
    """
    inotify watches on every directory of one checkout (symbolic links not followed) and on its
    git directory (HEAD, index), in an instance of its own, so that one side's own churn can
    never overflow the queue that holds the other side's writes.
    """

    def __init__(self, root, gitdir):
        self.root = root.rstrip('/') or '/'
        self.fd = _libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        self.dirs = {}  # watch descriptor -> path relative to root ('' is root; '.git:' the git dir)
        self.unreadable = 0
        try:
            if gitdir:
                self.add(gitdir, '.git:')
            self.walk('')
        except BaseException:
            os.close(self.fd)
            raise

    def path_of(self, rel):
        return self.root if rel == '' else os.path.join(self.root, rel)

    def add(self, path, rel):
        wd = _libc.inotify_add_watch(self.fd, os.fsencode(path), WATCHED)
        if wd < 0:
            err = ctypes.get_errno()
            if err == 28:  # ENOSPC
                raise WatchLimit()
            if err == 13:  # EACCES: a directory this user cannot read, so cannot write either
                self.unreadable += 1
            return None  # ENOENT, ENOTDIR: gone or replaced meanwhile
        self.dirs[wd] = rel
        return wd

    def walk(self, rel):
        """Watches `rel` and every directory under it; returns how many."""
        count = 0
        stack = [rel]
        while stack:
            current = stack.pop()
            if self.add(self.path_of(current), current) is None:
                continue
            count += 1
            try:
                with os.scandir(self.path_of(current)) as entries:
                    for entry in entries:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.name if current == '' else current + '/' + entry.name)
            except OSError:
                continue
        return count

    def forget(self, rel):
        """Stops watching `rel` and everything under it (moved out of the checkout)."""
        prefix = rel + '/'
        for wd, path in list(self.dirs.items()):
            if path == rel or path.startswith(prefix):
                _libc.inotify_rm_watch(self.fd, wd)
                del self.dirs[wd]

    def drain(self):
        """Every queued event as (directory, mask, name); ('', IN_Q_OVERFLOW, '') on overflow."""
        import struct

        events = []
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return events
            at = 0
            while at < len(data):
                wd, mask, _cookie, size = struct.unpack_from('iIII', data, at)
                name = data[at + 16:at + 16 + size].rstrip(b'\0').decode('utf-8', 'surrogateescape')
                at += 16 + size
                if mask & IN_Q_OVERFLOW:
                    events.append((None, IN_Q_OVERFLOW, ''))
                    continue
                rel = self.dirs.get(wd)
                if mask & IN_IGNORED:
                    self.dirs.pop(wd, None)
                    continue
                if rel is not None:
                    events.append((rel, mask, name))

    def follow(self, events):
        """Keeps the watches complete after this side's own changes: new, moved and lost directories."""
        for rel, mask, name in events:
            if mask & IN_Q_OVERFLOW:
                self.walk('')
            elif rel != '.git:' and mask & IN_ISDIR and name:
                child = name if rel == '' else rel + '/' + name
                if mask & IN_MOVED_FROM:
                    self.forget(child)
                elif mask & (IN_CREATE | IN_MOVED_TO):
                    self.walk(child)


def name_write(rel, mask, name):
    """(path shown, kind) of one event in the other side's checkout."""
    if mask & IN_Q_OVERFLOW:
        return ('', 'more writes than the event queue holds')
    if rel == '.git:':
        path = '.git:' + name
    elif name:
        path = name if rel == '' else rel + '/' + name
    else:
        path = rel or '.'
    for bits, kind in KINDS:
        if mask & bits:
            return (path, kind)
    return (path, 'changed')


def watch(parent):
    """
    Requests: `add SIDE ROOT GITDIR` -> `added SIDE DIRECTORIES UNREADABLE` (or `limit SIDE`
    when the watch limit is reached); `check SIDE` (SIDE just ran) -> `checked STATUS COUNT
    DIRECTORIES [PATH KIND]...`: the writes found in the other checkouts since the last check
    (at most MAX_LISTED of them listed), STATUS `ok` or `limit`, the directories now watched;
    `quit`.
    """
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        return
    if _libc is None or not hasattr(_libc, 'inotify_init1'):
        send('unavailable', 'inotify is not available here')
        return
    send('hello', os.getpid())
    sides = {}
    frames = Frames()
    while True:
        data = os.read(0, 1 << 16)
        if not data:
            return
        for fields in frames.feed(data):
            op = fields[0]
            if op == b'add':
                side = fields[1].decode()
                root, gitdir = os.fsdecode(fields[2]), os.fsdecode(fields[3])
                try:
                    sides[side] = Checkout(root, gitdir)
                except WatchLimit:
                    send('limit', side)
                    continue
                except OSError as error:
                    send('error', side, str(error))
                    continue
                send('added', side, len(sides[side].dirs), sides[side].unreadable)
            elif op == b'check':
                ran = fields[1].decode()
                found = {}
                status = 'ok'
                for side, checkout in sides.items():
                    events = checkout.drain()
                    if side != ran:
                        for rel, mask, name in events:
                            path, kind = name_write(rel, mask, name)
                            found.setdefault(path, kind)
                    try:
                        checkout.follow(events)
                    except WatchLimit:
                        status = 'limit'
                listed = []
                for path, kind in list(found.items())[:MAX_LISTED]:
                    listed += [path, kind]
                dirs = sum(len(c.dirs) for c in sides.values())
                send('checked', status, len(found), dirs, *listed)
            elif op == b'quit':
                return


def main():
    mode, parent = sys.argv[1], int(sys.argv[2])
    if mode == 'serve':
        Supervisor(parent).serve()
    elif mode == 'watch':
        watch(parent)
    else:
        sys.exit('usage: supervisor.py serve|watch PARENT_PID')


if __name__ == '__main__':
    main()
