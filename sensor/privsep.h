/*
 * privsep.h - the capture helper, rootwatch(8) SANDBOX.
 *
 * Live capture sockets need CAP_NET_RAW, and an interface that goes away
 * and comes back needs a new socket (a fanout member cannot be re-bound to
 * a new interface index).  The sensor itself keeps no capability, so,
 * before the sandbox, it forks this helper: a small process that keeps
 * only CAP_NET_RAW, runs as the sensor's user under its own seccomp list,
 * parses no packet, and answers one kind of request over a socketpair:
 * "a TPACKET_V3 socket on IFACE, with this filter, ring and fanout group".
 * It returns the ready socket with SCM_RIGHTS; the sensor maps the ring.
 * The helper ends when the sensor closes its end (or dies).
 */
#ifndef ROOTWATCH_PRIVSEP_H
#define ROOTWATCH_PRIVSEP_H

#include <stdint.h>
#include <sys/types.h>

#include <net/if.h>
#include <linux/filter.h>

/* Filter instructions a request may carry (the kernel's BPF_MAXINSNS). */
#define PRIV_MAX_INSNS	4096

struct priv {
	int	fd;		/* our end of the socketpair, -1: none */
	pid_t	pid;		/* the helper */
};

struct priv_open {
	char		ifname[IF_NAMESIZE];
	uint32_t	fanout;		/* PACKET_FANOUT argument, 0: none */
	uint32_t	block_size;	/* ring: block_nr blocks of block_size */
	uint32_t	block_nr;
	uint32_t	promisc;
	uint32_t	ninsns;		/* filter, ninsns <= PRIV_MAX_INSNS */
	struct sock_filter insns[PRIV_MAX_INSNS];
};

/* What the helper says about an interface (and the socket, if any). */
struct priv_reply {
	int32_t		err;		/* 0, or the errno of the failed step */
	int32_t		ifindex;
	int32_t		arphrd;		/* ARPHRD_* of the interface */
	char		step[24];	/* the call that failed */
};

/*
 * Fork the helper: it switches to uid/gid (when switch_user) keeping only
 * CAP_NET_RAW.  Before any thread.  0, or -1 logged.
 */
/*
 * socketpair + fork for a helper process: the parent gets the child's pid
 * and its end in *fd; the child gets 0, its end in *fd, and every other
 * descriptor above stderr closed.  -1 (logged with what) on failure.
 */
pid_t	priv_fork(const char *what, int *fd);
int	priv_start(struct priv *, int switch_user, uid_t uid, gid_t gid,
	    int log_only);
/*
 * The interface's index and link type (fd NULL), or a capture socket on
 * it (*fd set; r->err 0).  -1 when the helper cannot be reached (it is
 * gone: a permanent failure); 0 otherwise, r->err telling the outcome.
 * One caller at a time.
 */
int	priv_request(struct priv *, const struct priv_open *, int *fd,
	    struct priv_reply *r);
/* Close our end and reap the helper. */
void	priv_stop(struct priv *);

#endif
