/*
 * sandbox.h - confinement of the process that parses packets,
 * rootwatch(8) SANDBOX.
 *
 * Start-up opens everything that needs privilege first (capture handles,
 * output, rules, trust stores), then sandbox_enter() applies, in order:
 *   1. no_new_privs; as root: the capability bounding set emptied,
 *      supplementary groups, gid and uid switched to the user (-u, user:,
 *      default "rootwatch" when it exists) and checked irreversible;
 *   2. no capabilities left: permitted, effective, inheritable, ambient;
 *   3. Landlock: the file system shrinks to reading the paths given with
 *      sandbox_allow_read() and writing beneath sandbox_allow_write();
 *   4. seccomp-bpf: a steady-state allow-list (libseccomp); anything else
 *      kills the process (or, with log_only, is allowed and logged by the
 *      kernel, to discover a missing system call).
 * A layer the kernel lacks is logged loudly and reported in the stats
 * event; the others still apply.  Call it before any thread is created:
 * uid changes and seccomp reach every thread, Landlock only the caller and
 * the threads it creates later.
 */
#ifndef ROOTWATCH_SANDBOX_H
#define ROOTWATCH_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

#define SANDBOX_MAX_PATHS	64

struct sandbox {
	const char	*want_user;	/* -u or user:, NULL: the default */
	int		 log_only;	/* --sandbox-log */
	int		 switch_user;	/* resolved: change uid/gid */
	int		 no_default_user;	/* root, and no "rootwatch" */
	uid_t		 uid;
	gid_t		 gid;
	char		 user[64];	/* the user we run as afterwards */
	const char	*rd[SANDBOX_MAX_PATHS];	/* Landlock: read beneath */
	int		 rd_dir[SANDBOX_MAX_PATHS];	/* its directory */
	size_t		 nrd;
	const char	*wr[SANDBOX_MAX_PATHS];	/* Landlock: write beneath */
	int		 wr_replace[SANDBOX_MAX_PATHS];	/* and rename over */
	size_t		 nwr;
	int		 tree[SANDBOX_MAX_PATHS];	/* Landlock: make and
						   remove beneath (O_PATH) */
	size_t		 ntree;
	/* outcome, for the log and the stats event */
	const char	*seccomp;	/* "kill", "log", or why it is off */
	char		 landlock[48];	/* "abi N", or why it is off */
	int		 caps_dropped;
	int		 network;	/* outputs over sockets reconnect */
	/* the active probe's process (probe.c): its own seccomp list
	 * (resolve, connect, handshake; no file opened for writing), and
	 * Landlock lets TCP connect to connect_port only */
	int		 probe;
	unsigned	 connect_port;
	char		 json[256];	/* {"user":...} for the stats event */
};

/*
 * Resolve the user before anything is opened (the name service is
 * reachable only now).  -1 with a message when a user named explicitly
 * does not exist: a start-up error.
 */
int	sandbox_init(struct sandbox *, const char *user, int log_only);
/*
 * Landlock paths (kept by reference: they must live until sandbox_enter).
 * Reading path (beneath it, for a directory), or with its_dir everything
 * in the directory that holds path (a rules file and its PEMs).
 */
void	sandbox_allow_read(struct sandbox *, const char *path, int its_dir);
/* The directory that holds path gets write and create rights. */
void	sandbox_allow_write(struct sandbox *, const char *path);
/* The directory dir itself, and everything beneath it, gets the rights
 * to make, write, read, list and remove files and directories (the
 * evidence bundles, rootwatch(8) EVIDENCE).  Opened now, with the rights
 * we start with: the user we switch to may not reach it by name. */
void	sandbox_allow_tree(struct sandbox *, const char *dir);
/* A directory made as root before the switch goes to the user. */
void	sandbox_adopt_dir(const struct sandbox *, int dirfd);
/* Same, and files in it may be replaced by rename(2) (a state file
 * written atomically: temporary file, then rename over the old one). */
void	sandbox_allow_replace(struct sandbox *, const char *path);
/* Hand a file created before the switch to the user (log reopen). */
void	sandbox_adopt(const struct sandbox *, int fd);
/* Outputs over sockets: seccomp lets them reconnect (socket, connect,
 * send...), Landlock lets TCP connect and name resolution read its files. */
void	sandbox_allow_network(struct sandbox *);
/* Apply every layer.  -1 with a message if a step that must work failed. */
int	sandbox_enter(struct sandbox *);
/* The status object for the stats event ("{...}"). */
const char *sandbox_json(const struct sandbox *);

/*
 * Capture files named on the command line are opened before the switch,
 * so that a file only root may read is still replayed after it.
 * sandbox_open_input() returns a new descriptor for path: a duplicate of
 * the one opened early, or open(2) of path.  O_RDONLY | O_CLOEXEC.
 */
void	sandbox_preopen(const char *path);
int	sandbox_open_input(const char *path);

/* libseccomp's version, for -V ("2.5.4"). */
const char *sandbox_seccomp_version(void);

#endif
