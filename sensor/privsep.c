/*
 * privsep.c - the capture helper.  See privsep.h.
 *
 * As OpenBSD's privileged parents: the part that holds a right does one
 * small thing with it, on requests of a fixed size, and never sees a
 * packet.  The helper's system calls are the dozen that open a packet
 * socket, set up its ring and pass it on; anything else kills it.
 */
#define _GNU_SOURCE	/* setresuid(2) */

#include "privsep.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <seccomp.h>

#include "log.h"

struct priv_msg {
	uint32_t		want_socket;
	struct priv_open	o;
};

/* ---- the helper --------------------------------------------------------- */

static int
helper_fail(struct priv_reply *r, const char *step)
{
	r->err = errno != 0 ? errno : EINVAL;
	snprintf(r->step, sizeof(r->step), "%s", step);
	return -1;
}

/* Index, link type and state of the interface, on any socket. */
static int
helper_ifinfo(int s, const struct priv_open *o, struct priv_reply *r)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, o->ifname, sizeof(ifr.ifr_name));
	ifr.ifr_name[sizeof(ifr.ifr_name) - 1] = '\0';
	if (ioctl(s, SIOCGIFINDEX, &ifr) == -1)
		return helper_fail(r, "SIOCGIFINDEX");
	r->ifindex = ifr.ifr_ifindex;
	if (ioctl(s, SIOCGIFHWADDR, &ifr) == -1)
		return helper_fail(r, "SIOCGIFHWADDR");
	r->arphrd = ifr.ifr_hwaddr.sa_family;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1)
		return helper_fail(r, "SIOCGIFFLAGS");
	/* a socket bound to a down interface gets ENETDOWN at once and
	 * nothing after: say it now, the sensor retries later */
	if (!(ifr.ifr_flags & IFF_UP)) {
		errno = ENETDOWN;
		return helper_fail(r, "interface down");
	}
	return 0;
}

/*
 * The order matters: protocol 0 until bind, so no packet enters the ring
 * before the filter is attached; the ring before bind; the fanout group
 * last (a member must be bound).
 */
static int
helper_setup(int s, const struct priv_open *o, struct priv_reply *r)
{
	struct sock_fprog prog = { (unsigned short)o->ninsns,
	    (struct sock_filter *)o->insns };
	struct tpacket_req3 req;
	struct sockaddr_ll sll;
	struct packet_mreq mr;
	int v = TPACKET_V3;

	if (setsockopt(s, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) == -1)
		return helper_fail(r, "PACKET_VERSION");
	if (o->ninsns > 0 && setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1)
		return helper_fail(r, "SO_ATTACH_FILTER");
	memset(&req, 0, sizeof(req));
	req.tp_block_size = o->block_size;
	req.tp_block_nr = o->block_nr;
	req.tp_frame_size = TPACKET_ALIGNMENT << 7;
	req.tp_frame_nr = o->block_size / req.tp_frame_size * o->block_nr;
	req.tp_retire_blk_tov = 50;	/* ms: an idle link's packets wait */
	if (setsockopt(s, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) == -1)
		return helper_fail(r, "PACKET_RX_RING");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = r->ifindex;
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll)) == -1)
		return helper_fail(r, "bind");
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = r->ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (o->promisc && setsockopt(s, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
	    sizeof(mr)) == -1)
		return helper_fail(r, "PACKET_MR_PROMISC");
	v = (int)o->fanout;
	if (o->fanout != 0 && setsockopt(s, SOL_PACKET, PACKET_FANOUT, &v,
	    sizeof(v)) == -1)
		return helper_fail(r, "PACKET_FANOUT");
	return 0;
}

static void
helper_reply(int fd, const struct priv_reply *r, int sock)
{
	union {
		char		buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} u;
	struct iovec iov = { (void *)r, sizeof(*r) };
	struct msghdr m;
	struct cmsghdr *c;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (sock != -1) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &sock, sizeof(int));
	}
	if (sendmsg(fd, &m, MSG_NOSIGNAL) == -1)
		_exit(1);
}

static void
helper_serve(int fd, const struct priv_msg *q)
{
	struct priv_reply r;
	int s;

	memset(&r, 0, sizeof(r));
	errno = 0;
	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s == -1)
		(void)helper_fail(&r, "socket");
	else if (helper_ifinfo(s, &q->o, &r) == 0 && q->want_socket &&
	    (q->o.ninsns > PRIV_MAX_INSNS ? (errno = EINVAL,
	    helper_fail(&r, "filter length")) : helper_setup(s, &q->o, &r)) ==
	    0) {
		helper_reply(fd, &r, s);
		close(s);
		return;
	}
	helper_reply(fd, &r, -1);
	if (s != -1)
		close(s);
}

/* Only CAP_NET_RAW, as the sensor's user. */
static int
helper_drop(int switch_user, uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int cap;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	for (cap = 0; cap < 64 && geteuid() == 0; cap++)
		if (cap != CAP_NET_RAW && prctl(PR_CAPBSET_DROP, cap, 0, 0,
		    0) == -1 && errno == EINVAL)
			break;
	if (switch_user && (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1))
		return -1;
	memset(d, 0, sizeof(d));
	d[0].permitted = d[0].effective = 1u << CAP_NET_RAW;
	if (syscall(SYS_capset, &h, d) == -1) {
		/* not root and no CAP_NET_RAW: none at all; opening will
		 * then fail with EPERM, and say so */
		memset(d, 0, sizeof(d));
		if (syscall(SYS_capset, &h, d) == -1)
			return -1;
	}
	(void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return 0;
}

static int
helper_rule(scmp_filter_ctx ctx, const char *name, unsigned n,
    const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp) < 0 ?
	    -1 : 0;
}

/* The helper's own list: a packet socket, its options, passing it on. */
static int
helper_seccomp(int log_only)
{
	static const char *const plain[] = { "setsockopt", "bind", "sendmsg",
	    "recvmsg", "recvfrom", "close", "write", "writev", "exit", "exit_group",
	    "rt_sigreturn", "brk", "munmap", "getpid", "fstat", "newfstatat",
	    "clock_gettime", NULL };
	static const unsigned long ioctls[] = { SIOCGIFINDEX, SIOCGIFHWADDR,
	    SIOCGIFFLAGS };
	struct scmp_arg_cmp a;
	scmp_filter_ctx ctx;
	size_t i;
	int rc = 0;

	if ((ctx = seccomp_init(log_only ? SCMP_ACT_LOG :
	    SCMP_ACT_KILL_PROCESS)) == NULL)
		return 1;		/* no seccomp(2): said by the sensor */
	for (i = 0; plain[i] != NULL && rc == 0; i++)
		rc = helper_rule(ctx, plain[i], 0, NULL);
	a = (struct scmp_arg_cmp)SCMP_A0(SCMP_CMP_EQ, AF_PACKET);
	rc = rc == 0 ? helper_rule(ctx, "socket", 1, &a) : rc;
	a = (struct scmp_arg_cmp)SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	rc = rc == 0 ? helper_rule(ctx, "mmap", 1, &a) : rc;
	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]) && rc == 0; i++) {
		a = (struct scmp_arg_cmp)SCMP_A1(SCMP_CMP_EQ, ioctls[i]);
		rc = helper_rule(ctx, "ioctl", 1, &a);
	}
	if (rc == 0 && seccomp_load(ctx) < 0)
		rc = -1;
	seccomp_release(ctx);
	return rc;
}

static void
helper_main(int fd, int switch_user, uid_t uid, gid_t gid, int log_only)
{
	static struct priv_msg q;	/* 32 KiB: not on the stack */
	ssize_t n;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	(void)prctl(PR_SET_NAME, "rootwatch-priv", 0, 0, 0);
	signal(SIGTERM, SIG_IGN);	/* ends with the sensor's socket */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	if (helper_drop(switch_user, uid, gid) == -1) {
		log_warn("capture helper: cannot drop privileges");
		_exit(1);
	}
	if (helper_seccomp(log_only) == -1) {
		log_warnx("capture helper: cannot enter seccomp");
		_exit(1);
	}
	for (;;) {
		n = recvfrom(fd, &q, sizeof(q), 0, NULL, NULL);
		if (n == 0 || (n == -1 && errno != EINTR))
			_exit(0);
		if (n == (ssize_t)sizeof(q))
			helper_serve(fd, &q);
		else if (n > 0)
			_exit(1);	/* not our peer */
	}
}

/* ---- the sensor's side ---------------------------------------------------- */

/* Every descriptor but stdin, stdout, stderr and keep. */
static void
close_others(int keep)
{
	long max = sysconf(_SC_OPEN_MAX);
	int fd;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			(void)close(fd);
}

pid_t
priv_fork(const char *what, int *fd)
{
	int sv[2];
	pid_t pid;

	*fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("%s: socketpair", what);
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		log_warn("%s: fork", what);
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close_others(sv[1]);
		*fd = sv[1];
		return 0;
	}
	close(sv[1]);
	*fd = sv[0];
	return pid;
}

int
priv_start(struct priv *p, int switch_user, uid_t uid, gid_t gid,
    int log_only)
{
	int fd;

	p->fd = -1;
	if ((p->pid = priv_fork("capture helper", &fd)) == -1)
		return -1;
	if (p->pid == 0)
		helper_main(fd, switch_user, uid, gid, log_only);
	p->fd = fd;
	return 0;
}

/* The descriptor passed with the reply, or -1. */
static int
reply_fd(struct msghdr *m)
{
	struct cmsghdr *c;
	int fd = -1;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)) && fd == -1)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int
priv_request(struct priv *p, const struct priv_open *o, int *fd,
    struct priv_reply *r)
{
	static struct priv_msg q;	/* one caller at a time (main) */
	union {
		char		buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} u;
	struct iovec iov = { &q, sizeof(q) };
	struct msghdr m;
	ssize_t n;
	int got;

	if (p->fd == -1)
		return -1;
	q.want_socket = fd != NULL;
	q.o = *o;
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (sendmsg(p->fd, &m, MSG_NOSIGNAL) != (ssize_t)sizeof(q))
		return -1;
	iov.iov_base = r;
	iov.iov_len = sizeof(*r);
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	while ((n = recvmsg(p->fd, &m, MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		;
	got = n > 0 ? reply_fd(&m) : -1;
	if (n != (ssize_t)sizeof(*r) || (m.msg_flags & MSG_CTRUNC) ||
	    (fd != NULL && r->err == 0 && got == -1)) {
		if (got != -1)
			close(got);
		return -1;
	}
	if (fd != NULL)
		*fd = got;
	else if (got != -1)
		close(got);
	return 0;
}

void
priv_stop(struct priv *p)
{
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
	/* waitpid is off the sensor's seccomp list: the helper, whose
	 * socket just closed, exits and is reaped by init with us */
	p->pid = -1;
}
