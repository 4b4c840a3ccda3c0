/*
 * sandbox.c - user switch, capabilities, Landlock, seccomp.  See sandbox.h.
 *
 * The idea is tcpdump's droproot() and bgpd's privilege separation: open
 * what needs root, then give up root for good before the first hostile
 * byte is parsed.  The packet parsers, nDPI and OpenSSL then run with no
 * capability, a file system reduced to the rules, trust stores and the
 * output directory, and a system call list of a few dozen entries.
 */
#define _GNU_SOURCE	/* setresuid(2), CLONE_THREAD */

#include "rwconfig.h"

#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/if_packet.h>
#include <linux/landlock.h>
#include <linux/sockios.h>
#include <seccomp.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "log.h"

/* The sanitizers' runtime needs system calls of its own (LeakSanitizer
 * ptrace-attaches the process from a helper at exit). */
#if defined(__SANITIZE_ADDRESS__)
#define RW_SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RW_SANITIZED	1
#endif
#endif

#define DEFAULT_USER	"rootwatch"

/* ---- capture files opened before the switch ------------------------- */

/* Process-wide start-up state, written before the sandbox and the
 * workers exist, read-only afterwards. */
static struct {
	const char	*path;
	int		 fd;		/* -1: not open (err, if it failed) */
	int		 err;
} pre[4096];
static size_t npre;

/* Descriptors we may hold open early: the soft limit, raised to the hard
 * one, less room for everything else the process opens. */
static size_t
preopen_room(void)
{
	static long room = -1;
	struct rlimit rl;

	if (room >= 0)
		return (size_t)room;
	room = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur > 128)
		room = (long)(rl.rlim_cur - 128 > 4096 ? 4096 :
		    rl.rlim_cur - 128);
	return (size_t)room;
}

void
sandbox_preopen(const char *path)
{
	struct stat st;
	int fd = -1;

	if (strcmp(path, "-") == 0 || npre >= preopen_room() ||
	    npre == sizeof(pre) / sizeof(pre[0]))
		return;
	/* Regular files only: opening a FIFO would block until its writer
	 * comes, or wake a writer that then finds no reader.  A failure is
	 * kept, so that the error reported later is root's (ENOENT), not
	 * the unprivileged user's (EACCES on the way to it). */
	pre[npre].path = path;
	pre[npre].fd = -1;
	pre[npre].err = 0;
	if (stat(path, &st) == -1 || (S_ISREG(st.st_mode) &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)) {
		pre[npre++].err = errno;
		return;
	}
	if (fd == -1)
		return;			/* FIFO, socket, directory... */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    fcntl(fd, F_SETFL, 0) == -1) {
		close(fd);
		return;
	}
	pre[npre++].fd = fd;
}

/*
 * A duplicate shares the file offset with the descriptor opened early:
 * each user (the replay reads a file once for its first packet, then
 * again in time order) starts from the beginning.
 */
static int
dup_rewound(int fd)
{
	int nfd;

	if ((nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return -1;
	if (lseek(nfd, 0, SEEK_SET) == -1) {
		close(nfd);
		return -1;
	}
	return nfd;
}

int
sandbox_open_input(const char *path)
{
	size_t i;

	for (i = 0; i < npre; i++) {
		if (strcmp(pre[i].path, path) != 0)
			continue;
		if (pre[i].fd != -1)
			return dup_rewound(pre[i].fd);
		if (pre[i].err != 0) {
			errno = pre[i].err;
			return -1;
		}
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* ---- the user --------------------------------------------------------- */

static int
lookup_user(struct sandbox *sb, const char *name, int quiet)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		if (!quiet)
			log_warnx("user %s: %s", name, errno != 0 ?
			    strerror(errno) : "no such user");
		return -1;
	}
	sb->uid = pw->pw_uid;
	sb->gid = pw->pw_gid;
	snprintf(sb->user, sizeof(sb->user), "%s", pw->pw_name);
	return 0;
}

/* Name of the user we already are, for the log and the stats. */
static void
current_user(struct sandbox *sb)
{
	struct passwd *pw = getpwuid(geteuid());

	sb->uid = geteuid();
	sb->gid = getegid();
	if (pw != NULL)
		snprintf(sb->user, sizeof(sb->user), "%s", pw->pw_name);
	else
		snprintf(sb->user, sizeof(sb->user), "%u", (unsigned)sb->uid);
}

int
sandbox_init(struct sandbox *sb, const char *user, int log_only)
{
	memset(sb, 0, sizeof(*sb));
	sb->want_user = user;
	sb->log_only = log_only;
	sb->seccomp = "off";
	snprintf(sb->landlock, sizeof(sb->landlock), "off");
	current_user(sb);
	if (geteuid() != 0) {
		/* As tcpdump -Z: only root switches.  A service started as
		 * an unprivileged user with capabilities still loses them. */
		if (user != NULL && strcmp(user, sb->user) != 0)
			log_warnx("not running as root: -u %s ignored, "
			    "staying %s", user, sb->user);
		return 0;
	}
	if (user != NULL) {
		if (lookup_user(sb, user, 0) == -1)
			return -1;
	} else if (lookup_user(sb, DEFAULT_USER, 1) == -1) {
		current_user(sb);
		sb->no_default_user = 1;	/* said at sandbox_enter */
		return 0;
	}
	sb->switch_user = sb->uid != 0;
	return 0;
}

void
sandbox_allow_read(struct sandbox *sb, const char *path, int its_dir)
{
	if (path == NULL || strcmp(path, "-") == 0 ||
	    sb->nrd == SANDBOX_MAX_PATHS)
		return;
	sb->rd_dir[sb->nrd] = its_dir;
	sb->rd[sb->nrd++] = path;
}

void
sandbox_allow_write(struct sandbox *sb, const char *path)
{
	if (path != NULL && strcmp(path, "-") != 0 && sb->nwr < SANDBOX_MAX_PATHS)
		sb->wr[sb->nwr++] = path;
}

void
sandbox_allow_tree(struct sandbox *sb, const char *dir)
{
	int fd;

	if (dir == NULL || sb->ntree == SANDBOX_MAX_PATHS)
		return;
	if ((fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("landlock: %s", dir);
		return;
	}
	sb->tree[sb->ntree++] = fd;
}

void
sandbox_adopt_dir(const struct sandbox *sb, int dirfd)
{
	struct stat st;

	if (!sb->switch_user || fstat(dirfd, &st) == -1 ||
	    !S_ISDIR(st.st_mode) || st.st_uid != 0)
		return;
	if (fchown(dirfd, sb->uid, sb->gid) == -1)
		log_warn("cannot give a directory made at start to %s", sb->user);
}

void
sandbox_allow_replace(struct sandbox *sb, const char *path)
{
	if (path == NULL || sb->nwr == SANDBOX_MAX_PATHS)
		return;
	sb->wr_replace[sb->nwr] = 1;
	sb->wr[sb->nwr++] = path;
}

void
sandbox_adopt(const struct sandbox *sb, int fd)
{
	struct stat st;

	if (!sb->switch_user || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != 0)
		return;
	if (fchown(fd, sb->uid, sb->gid) == -1)
		log_warn("cannot give the output file to %s", sb->user);
}

/* ---- privileges --------------------------------------------------------- */

/* Empty the bounding set, so no later execve could gain a capability. */
static void
drop_bounding_set(void)
{
	int cap;

	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno == EINVAL)
			break;
}

static int
switch_user(const struct sandbox *sb)
{
	if (setgroups(1, &sb->gid) == -1 ||
	    setresgid(sb->gid, sb->gid, sb->gid) == -1 ||
	    setresuid(sb->uid, sb->uid, sb->uid) == -1) {
		log_warn("cannot switch to user %s", sb->user);
		return -1;
	}
	/* Saved ids included: none of these may succeed any more. */
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1) {
		log_warnx("could regain root after switching to %s", sb->user);
		return -1;
	}
	return 0;
}

static int
clear_caps(void)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];
	int i;

	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(&h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capset, &h, d) == -1) {
		log_warn("cannot drop capabilities");
		return -1;
	}
	if (syscall(SYS_capget, &h, d) == -1)
		return -1;
	for (i = 0; i < 2; i++)
		if (d[i].permitted | d[i].effective | d[i].inheritable) {
			log_warnx("capabilities remain after dropping them");
			return -1;
		}
	return 0;
}

static int
drop_privileges(struct sandbox *sb)
{
	if (sb->no_default_user)
		log_warnx("running as root: user %s does not exist (create "
		    "it, or give -u USER); capabilities are still dropped",
		    DEFAULT_USER);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("no_new_privs");
		return -1;
	}
	if (geteuid() == 0)
		drop_bounding_set();
	if (sb->switch_user && switch_user(sb) == -1)
		return -1;
	if (clear_caps() == -1)
		return -1;
	sb->caps_dropped = 1;
#ifdef RW_SANITIZED
	/* LeakSanitizer's helper ptrace-attaches us at exit; a process
	 * that changed uid is not dumpable, which would forbid it. */
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
	return 0;
}

/* ---- Landlock ------------------------------------------------------------ */

/* Rights newer than bookworm's <linux/landlock.h> (Linux 6.1). */
#define LL_FS_TRUNCATE		(1ULL << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV		(1ULL << 15)	/* ABI 5 */
#define LL_NET_BIND_TCP		(1ULL << 0)	/* ABI 4 */
#define LL_NET_CONNECT_TCP	(1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL		(1ULL << 1)
#define LL_FS_ABI1		((1ULL << 13) - 1)	/* EXECUTE..MAKE_SYM */
#define LL_FILE_RIGHTS		(LANDLOCK_ACCESS_FS_EXECUTE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)
#define LL_READ			(LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_WRITE		(LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_MAKE_REG)
/* Evidence bundles: a directory each, files written once, a manifest
 * replaced by rename (same directory: no REFER), the oldest removed. */
#define LL_TREE			(LL_READ | LL_WRITE | \
	LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	LANDLOCK_ACCESS_FS_REMOVE_DIR)

/* struct landlock_ruleset_attr as of ABI 6; its size tells the kernel
 * which fields we know. */
struct ll_ruleset {
	uint64_t	fs;
	uint64_t	net;
	uint64_t	scoped;
};

/* What the kernel's ABI lets us handle (deny unless a rule allows). */
static size_t
ll_handled(int abi, struct ll_ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->fs = LL_FS_ABI1;
	if (abi >= 2)
		rs->fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		rs->fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		rs->fs |= LL_FS_IOCTL_DEV;
	if (abi >= 4)
		rs->net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
	if (abi >= 6)
		rs->scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
	return abi >= 6 ? 24 : abi >= 4 ? 16 : 8;
}

static void
ll_allow_fd(int rfd, int fd, const char *path, uint64_t want,
    uint64_t handled)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;

	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		want &= LL_FILE_RIGHTS;	/* directory rights are EINVAL */
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = want & handled;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) == -1)
		log_warn("landlock: %s", path);
	else
		log_debug("landlock: %s %s", want & LL_WRITE ? "write" : "read",
		    path);
}

static void
ll_allow(int rfd, const char *path, uint64_t want, uint64_t handled)
{
	int fd;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		log_debug("landlock: %s: %s (skipped)", path, strerror(errno));
		return;
	}
	ll_allow_fd(rfd, fd, path, want, handled);
	close(fd);
}

/* struct landlock_net_port_attr (ABI 4), newer than bookworm's header. */
struct ll_net_port {
	uint64_t	allowed_access;
	uint64_t	port;
} __attribute__((packed));
#define LL_RULE_NET_PORT	2

/* The probe connects to this TCP port, and no other. */
static void
ll_allow_port(int rfd, unsigned port)
{
	struct ll_net_port np;

	if (port == 0)
		return;
	memset(&np, 0, sizeof(np));
	np.allowed_access = LL_NET_CONNECT_TCP;
	np.port = port;
	if (syscall(SYS_landlock_add_rule, rfd, LL_RULE_NET_PORT, &np, 0) ==
	    -1)
		log_warn("landlock: TCP port %u", port);
}

/* Trust stores: OpenSSL's defaults, their environment overrides, and
 * Debian's layout (/etc/ssl/certs links into /usr/share). */
static void
ll_trust_stores(int rfd, uint64_t handled)
{
	static const char *const dirs[] = { "/etc/ssl", "/usr/lib/ssl",
	    "/usr/share/ca-certificates", "/usr/local/share/ca-certificates" };
	const char *e;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ll_allow(rfd, dirs[i], LL_READ, handled);
	ll_allow(rfd, X509_get_default_cert_dir(), LL_READ, handled);
	ll_allow(rfd, X509_get_default_cert_file(), LL_READ, handled);
	if ((e = getenv(X509_get_default_cert_dir_env())) != NULL)
		ll_allow(rfd, e, LL_READ, handled);
	if ((e = getenv(X509_get_default_cert_file_env())) != NULL)
		ll_allow(rfd, e, LL_READ, handled);
}

/* The directory of path, in buf ("." for a bare name). */
static const char *
dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return ".";
	if (slash == path)
		return "/";
	snprintf(buf, len, "%.*s", (int)(slash - path), path);
	return buf;
}

static void
ll_rules(struct sandbox *sb, int rfd, uint64_t handled)
{
	char dir[4096];
	size_t i;

	for (i = 0; i < sb->nrd; i++)
		ll_allow(rfd, sb->rd_dir[i] ? dir_of(sb->rd[i], dir,
		    sizeof(dir)) : sb->rd[i], LL_READ, handled);
	for (i = 0; i < sb->nwr; i++)
		ll_allow(rfd, dir_of(sb->wr[i], dir, sizeof(dir)), LL_WRITE |
		    (sb->wr_replace[i] ? LANDLOCK_ACCESS_FS_REMOVE_FILE : 0),
		    handled);
	for (i = 0; i < sb->ntree; i++) {
		ll_allow_fd(rfd, sb->tree[i], "evidence directory", LL_TREE,
		    handled);
		close(sb->tree[i]);
	}
	sb->ntree = 0;
	ll_trust_stores(rfd, handled);
#ifdef RW_SANITIZED
	/* LeakSanitizer lists our threads and maps at exit */
	ll_allow(rfd, "/proc/self", LL_READ, handled);
#endif
}

static void
enter_landlock(struct sandbox *sb)
{
	struct ll_ruleset rs;
	size_t size;
	int abi, rfd;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		snprintf(sb->landlock, sizeof(sb->landlock), "%s",
		    errno == EOPNOTSUPP ? "disabled in the kernel" :
		    "not in the kernel");
		log_warnx("kernel lacks Landlock (%s): file system not "
		    "confined by Landlock", strerror(errno));
		return;
	}
	size = ll_handled(abi, &rs);
	/* outputs over TCP (syslog, redis) reconnect: connect(2) stays open;
	 * binding stays closed */
	if (sb->network && !(sb->probe && sb->connect_port != 0))
		rs.net &= ~LL_NET_CONNECT_TCP;
	rfd = (int)syscall(SYS_landlock_create_ruleset, &rs, size, 0);
	if (rfd == -1) {
		snprintf(sb->landlock, sizeof(sb->landlock), "failed");
		log_warn("landlock: cannot create a ruleset: not confined");
		return;
	}
	ll_rules(sb, rfd, rs.fs);
	if (rs.net & LL_NET_CONNECT_TCP) {
		ll_allow_port(rfd, sb->connect_port);
		ll_allow_port(rfd, 53);	/* DNS over TCP (truncated answers) */
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1) {
		snprintf(sb->landlock, sizeof(sb->landlock), "failed");
		log_warn("landlock: not confined");
	} else
		snprintf(sb->landlock, sizeof(sb->landlock), "abi %d", abi);
	close(rfd);
}

/* ---- seccomp ------------------------------------------------------------- */

/*
 * The steady state: reading packets (capture rings: poll, mmap, their
 * counters with getsockopt, sockets from the helper with recvmsg; files:
 * read, mmap), writing and reopening the output, reloading rules and trust
 * stores, time, signals, memory, and threads for the capture workers.
 * Names unknown on this architecture are skipped.
 */
static const char *const sc_allow[] = {
	"read", "readv", "pread64", "write", "writev", "pwrite64", "close",
	"lseek", "_llseek", "fstat", "fstat64", "newfstatat", "fstatat64",
	"statx", "stat", "lstat", "openat", "open", "fcntl", "fcntl64",
	"dup", "dup2", "dup3", "getdents64", "readlink", "readlinkat",
	"access", "faccessat", "faccessat2", "fsync", "fdatasync",
	/* the signals' state file: temporary file renamed over the old */
	"rename", "renameat", "renameat2", "unlink", "unlinkat",
	"poll", "ppoll", "ppoll_time64", "select", "pselect6", "recvfrom",
	"recvmsg", "getsockopt",
	/* requests to the capture helper (privsep.c) */
	"sendmsg", "munmap", "mremap", "madvise", "brk",
	"clock_gettime", "clock_gettime64", "clock_getres", "gettimeofday",
	"time", "nanosleep", "clock_nanosleep", "clock_nanosleep_time64",
	"getrandom", "getpid", "gettid", "getuid", "geteuid", "getgid",
	"getegid", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
	"sigreturn", "sigaltstack", "restart_syscall", "tgkill",
	"futex", "futex_time64", "set_robust_list", "get_robust_list",
	"rseq", "sched_yield", "sched_getaffinity", "getrlimit", "prlimit64",
	"uname",
	/* glibc's qsort(3) asks for the memory size on large arrays
	 * (many -r files) */
	"sysinfo",
	/* evidence bundles (evidence.c): a directory per alert, the
	 * manifest replaced by rename, the oldest bundles removed */
	"mkdir", "mkdirat", "unlink", "unlinkat", "rmdir", "rename",
	"renameat", "renameat2",
	"exit", "exit_group",
#ifdef RW_SANITIZED
	/* AddressSanitizer and LeakSanitizer's runtime */
	"ptrace", "wait4", "waitid", "prctl", "getppid", "kill", "pipe2",
	"sched_getparam", "sched_getscheduler", "getpgid", "getsid",
	"process_vm_readv", "getdents",
#endif
	NULL
};

static int
sc_rule(scmp_filter_ctx ctx, uint32_t act, const char *name,
    unsigned n, const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;
	if (seccomp_rule_add_array(ctx, act, nr, n, cmp) < 0) {
		log_warnx("seccomp: cannot add %s", name);
		return -1;
	}
	return 0;
}

/* Calls allowed only with some arguments. */
/*
 * Outputs over sockets (unix, syslog, redis: sink.h) reconnect after a
 * failure, and hiredis resolves the server's name again: they need the
 * socket calls the capture side otherwise never makes.
 */
static const char *const sc_network[] = {
	"socket", "connect", "sendto", "sendmsg", "recvfrom", "recvmsg",
	"getsockopt", "setsockopt", "getsockname", "getpeername", NULL
};

static int
sc_narrow(scmp_filter_ctx ctx, int network)
{
	/* no executable memory: the sensor never generates code */
	struct scmp_arg_cmp noexec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	/* threads, not processes */
	struct scmp_arg_cmp thread = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD,
	    CLONE_THREAD);
	/* stdio asks isatty() */
	static const unsigned long ioctls[] = { TCGETS, FIONREAD };
	struct scmp_arg_cmp io;
	size_t i;

	for (i = 0; network && sc_network[i] != NULL; i++)
		if (sc_rule(ctx, SCMP_ACT_ALLOW, sc_network[i], 0, NULL) == -1)
			return -1;

	if (sc_rule(ctx, SCMP_ACT_ALLOW, "mmap", 1, &noexec) == -1 ||
	    sc_rule(ctx, SCMP_ACT_ALLOW, "mmap2", 1, &noexec) == -1 ||
	    sc_rule(ctx, SCMP_ACT_ALLOW, "mprotect", 1, &noexec) == -1)
		return -1;
#ifdef RW_SANITIZED
	(void)thread;
	if (sc_rule(ctx, SCMP_ACT_ALLOW, "clone", 0, NULL) == -1)
		return -1;
#else
	if (sc_rule(ctx, SCMP_ACT_ALLOW, "clone", 1, &thread) == -1)
		return -1;
#endif
	/* clone3's flags are behind a pointer: make glibc fall back */
	if (sc_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL) == -1)
		return -1;
	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		io = (struct scmp_arg_cmp)SCMP_A1(SCMP_CMP_EQ, ioctls[i]);
		if (sc_rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &io) == -1)
			return -1;
	}
	return 0;
}

/*
 * The probe's list (probe.c): the socketpair to the sensor, the system
 * resolver (reading its files, a UDP or TCP socket to the name server,
 * glibc's netlink query of the local addresses), one TCP connection at a
 * time, OpenSSL (memory, randomness, time, locks).  No capture, no file
 * opened for writing, no process.
 */
static const char *const sc_probe_allow[] = {
	"read", "readv", "write", "writev", "close", "lseek", "_llseek",
	"fstat", "fstat64", "newfstatat", "fstatat64", "statx", "stat",
	"fcntl", "fcntl64", "connect", "bind", "getsockname", "getpeername",
	"sendto", "sendmsg", "sendmmsg", "recvfrom", "recvmsg",
	"getsockopt", "setsockopt", "shutdown", "poll", "ppoll",
	"ppoll_time64", "select", "pselect6", "munmap", "mremap", "madvise",
	"brk", "clock_gettime", "clock_gettime64", "clock_getres",
	"gettimeofday", "time", "nanosleep", "clock_nanosleep", "getrandom",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigreturn",
	"restart_syscall", "futex", "futex_time64", "uname", "exit",
	"exit_group",
#ifdef RW_SANITIZED
	"ptrace", "wait4", "waitid", "prctl", "getppid", "kill", "pipe2",
	"sched_getparam", "sched_getscheduler", "getpgid", "getsid",
	"process_vm_readv", "getdents", "getdents64", "clone",
	"sched_getaffinity", "sigaltstack", "getrlimit", "prlimit64",
	"readlink", "readlinkat", "tgkill", "set_robust_list", "rseq",
#endif
	NULL
};

static int
sc_probe_narrow(scmp_filter_ctx ctx)
{
	static const int fams[] = { AF_INET, AF_INET6, AF_NETLINK };
	struct scmp_arg_cmp noexec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	/* reading only: any write bit or O_CREAT/O_TRUNC is refused */
	struct scmp_arg_cmp rd2 = SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE |
	    O_CREAT | O_TRUNC | O_APPEND, O_RDONLY);
	struct scmp_arg_cmp rd1 = SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE |
	    O_CREAT | O_TRUNC | O_APPEND, O_RDONLY);
	/* datum_b given: clang's -Wextra wants every field */
	struct scmp_arg_cmp io = SCMP_A1(SCMP_CMP_EQ, FIONREAD, 0), fam;
	size_t i;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		fam = (struct scmp_arg_cmp)SCMP_A0(SCMP_CMP_EQ, fams[i], 0);
		if (sc_rule(ctx, SCMP_ACT_ALLOW, "socket", 1, &fam) == -1)
			return -1;
	}
	/* glibc asks nscd over a unix socket first: say no, not kill */
	fam = (struct scmp_arg_cmp)SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0);
	if (sc_rule(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 1, &fam) == -1 ||
	    sc_rule(ctx, SCMP_ACT_ALLOW, "openat", 1, &rd2) == -1 ||
	    sc_rule(ctx, SCMP_ACT_ALLOW, "open", 1, &rd1) == -1 ||
	    sc_rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &io) == -1 ||
	    sc_rule(ctx, SCMP_ACT_ALLOW, "mmap", 1, &noexec) == -1 ||
	    sc_rule(ctx, SCMP_ACT_ALLOW, "mmap2", 1, &noexec) == -1 ||
	    sc_rule(ctx, SCMP_ACT_ALLOW, "mprotect", 1, &noexec) == -1)
		return -1;
	return 0;
}

static int
enter_seccomp(struct sandbox *sb)
{
	const char *const *allow = sb->probe ? sc_probe_allow : sc_allow;
	scmp_filter_ctx ctx;
	size_t i;
	int rc;

	ctx = seccomp_init(sb->log_only ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL) {
		/* libseccomp probes the kernel's seccomp(2) first: without it
		 * (an old kernel, or valgrind, which does not emulate it) it
		 * gives no context.  A layer the kernel lacks is said, not
		 * fatal (rootwatch(8) SANDBOX). */
		sb->seccomp = "not in the kernel";
		log_warnx("kernel lacks seccomp (libseccomp cannot start): "
		    "system calls not filtered");
		return 0;
	}
	/* every thread, should a library have started one */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (i = 0; allow[i] != NULL; i++)
		if (sc_rule(ctx, SCMP_ACT_ALLOW, allow[i], 0, NULL) == -1)
			break;
	rc = allow[i] != NULL ? -1 : sb->probe ? sc_probe_narrow(ctx) :
	    sc_narrow(ctx, sb->network);
	if (rc == 0 && (rc = seccomp_load(ctx)) < 0) {
		errno = -rc;
		if (rc == -EINVAL || rc == -ENOSYS) {
			sb->seccomp = "not in the kernel";
			log_warn("kernel lacks seccomp: system calls not "
			    "filtered");
			rc = 0;
		} else
			log_warn("seccomp");
	}
	seccomp_release(ctx);
	return rc < 0 ? -1 : 0;
}

/* ---- all together ---------------------------------------------------------- */

static void
render_json(struct sandbox *sb)
{
	snprintf(sb->json, sizeof(sb->json), "{\"user\":\"%s\",\"uid\":%u,"
	    "\"gid\":%u,\"capabilities\":%s,\"landlock\":\"%s\","
	    "\"seccomp\":\"%s\"}", sb->user, (unsigned)getuid(),
	    (unsigned)getgid(), sb->caps_dropped ? "\"none\"" : "\"kept\"",
	    sb->landlock, sb->seccomp);
}

int
sandbox_enter(struct sandbox *sb)
{
	/* OpenSSL reads openssl.cnf once, on first use: make that now */
	(void)OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
	if (drop_privileges(sb) == -1)
		return -1;
	enter_landlock(sb);
	if (enter_seccomp(sb) == -1)
		return -1;
	if (strcmp(sb->seccomp, "off") == 0)
		sb->seccomp = sb->log_only ? "log" : "kill";
	log_info("sandbox: user %s (uid %u), no capabilities, landlock %s, "
	    "seccomp %s%s", sb->user, (unsigned)getuid(), sb->landlock,
	    sb->seccomp, sb->log_only ? " (violations logged by the "
	    "kernel, not stopped)" : " (a call off the list kills the "
	    "process)");
#ifdef RW_SANITIZED
	log_info("sandbox: built with sanitizers: seccomp also allows their "
	    "runtime's calls (ptrace, wait4, prctl, any clone)");
#endif
	render_json(sb);
	return 0;
}

const char *
sandbox_json(const struct sandbox *sb)
{
	return sb->json;
}

const char *
sandbox_seccomp_version(void)
{
	static char v[32];
	const struct scmp_version *sv = seccomp_version();

	if (sv == NULL)
		return "unknown";
	snprintf(v, sizeof(v), "%u.%u.%u", sv->major, sv->minor, sv->micro);
	return v;
}

void
sandbox_allow_network(struct sandbox *sb)
{
	/* name resolution (hiredis reconnects by name) reads these */
	static const char *const resolv[] = { "/etc/hosts",
	    "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/gai.conf",
	    "/etc/host.conf", NULL };
	size_t i;

	sb->network = 1;
	for (i = 0; resolv[i] != NULL; i++)
		if (access(resolv[i], F_OK) == 0)
			sandbox_allow_read(sb, resolv[i], 0);
}
