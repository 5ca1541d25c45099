/*
 * Xen guest ABI: grant tables (hypercall grant_table_op, number 20), and the
 * grant-table space of memory_op add_to_physmap.
 *
 * A domain shares one of its frames with another by filling an entry of its
 * grant table (version 1: struct grant_entry_v1, 512 to a 4 KiB frame; the
 * frames belong to the hypervisor and the guest maps them into its physmap
 * with XENMEM_add_to_physmap, space XENMAPSPACE_grant_table). The entry
 * names the frame (a guest frame number of the granting domain), the domain
 * allowed to use it, and flags. The other domain then copies to or from the
 * frame (GNTTABOP_copy) or maps it into its own physmap
 * (GNTTABOP_map_grant_ref) by (granting domain, grant reference).
 *
 * While a grant is in use the hypervisor sets GTF_reading / GTF_writing in
 * the entry's flags; the granting domain may take a grant back only while
 * neither is set, by a compare-and-exchange of the flags/domid word.
 *
 * The argument of every sub-op is an array of `count` structures in guest
 * memory; OUT fields are written back. The numbers and layouts are Xen's
 * (x86-64), checked at the end of this file, with the compat (i386) layouts
 * a vCPU in 32-bit mode passes: only setup_table (a 32-bit handle to 32-bit
 * frame numbers) and copy (a 32-bit gmfn) differ; the others are checked to
 * come out the same under i386 rules.
 */
#ifndef PUBLIC_GRANT_TABLE_H
#define PUBLIC_GRANT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include <public/xen.h>

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

/* ------------------------------------------------------------ shared entries */

/* Version 1 shared entry: written by the granting guest, flags also by the
 * hypervisor (GTF_reading, GTF_writing). */
struct grant_entry_v1 {
	uint16_t flags; /* GTF_* */
	domid_t domid;	/* the domain allowed to use the grant */
	uint32_t frame; /* the granting domain's guest frame number */
};

/* The type of the entry (flags & GTF_type_mask). */
#define GTF_invalid 0	      /* no grant: any use fails */
#define GTF_permit_access 1   /* domid may map or copy the frame */
#define GTF_accept_transfer 2 /* domid may transfer a frame (PV only) */
#define GTF_transitive 3      /* version 2 only */
#define GTF_type_mask 3
/* Flags of a GTF_permit_access entry. */
#define GTF_readonly (1u << 2) /* read access only */
#define GTF_reading (1u << 3)  /* set by the hypervisor: in use for reading */
#define GTF_writing (1u << 4)  /* set by the hypervisor: in use for writing */
#define GTF_PWT (1u << 5)      /* cache attributes (PV mappings only) */
#define GTF_PCD (1u << 6)
#define GTF_PAT (1u << 7)
#define GTF_sub_page (1u << 8) /* version 2 sub-page grant: never mapped */
/* Flags of a GTF_accept_transfer entry. */
#define GTF_transfer_committed (1u << 2)
#define GTF_transfer_completed (1u << 3)

#define GNTTAB_ENTRIES_PER_FRAME_V1 (4096 / sizeof(struct grant_entry_v1))
/* Entries 0-7 are reserved by convention for the toolstack (console,
 * xenstore); the hypervisor treats them like any other entry. */
#define GNTTAB_NR_RESERVED_ENTRIES 8

/* ------------------------------------------------------------ sub-ops */

#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_dump_table 3
#define GNTTABOP_transfer 4
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version 8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version 10
#define GNTTABOP_swap_grant_ref 11
#define GNTTABOP_cache_flush 12
/* Bits 12 and up of cmd carry a continuation's progress in Xen; a guest
 * must pass 0 there. */
#define GNTTABOP_CMD_MASK 0xfffu

/* GNTMAP_* flags of map_grant_ref */
#define GNTMAP_device_map (1u << 0)	 /* for DMA (PV; refused for HVM) */
#define GNTMAP_host_map (1u << 1)	 /* into the mapper's address space */
#define GNTMAP_readonly (1u << 2)	 /* read-only mapping */
#define GNTMAP_application_map (1u << 3) /* PV user mapping */
#define GNTMAP_contains_pte (1u << 4)	 /* PV: host_addr is a PTE address */

/* Per-op status values (GNTST_*) */
#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_bad_dev_addr (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain (-12)
#define GNTST_no_space (-13)

/* Map grant <dom, ref> into the caller. For an HVM/PVH caller host_addr is
 * a guest-physical address (its frame receives the mapping). */
struct gnttab_map_grant_ref {
	uint64_t host_addr;    /* IN */
	uint32_t flags;	       /* IN: GNTMAP_* */
	grant_ref_t ref;       /* IN */
	domid_t dom;	       /* IN: the granting domain */
	int16_t status;	       /* OUT: GNTST_* */
	grant_handle_t handle; /* OUT: for unmap */
	uint64_t dev_bus_addr; /* OUT */
};

/* Undo a map_grant_ref: handle from the map; host_addr as given there (0:
 * leave the host mapping alone). */
struct gnttab_unmap_grant_ref {
	uint64_t host_addr;    /* IN */
	uint64_t dev_bus_addr; /* IN */
	grant_handle_t handle; /* IN */
	int16_t status;	       /* OUT */
};

/* Unmap and put new_addr's mapping in its place (PV); HVM: new_addr 0. */
struct gnttab_unmap_and_replace {
	uint64_t host_addr; /* IN */
	uint64_t new_addr;  /* IN */
	grant_handle_t handle;
	int16_t status; /* OUT */
};

/* Set up (grow) dom's grant table to nr_frames frames; the frame list gets
 * their frame numbers (for an auto-translated guest: the guest frames where
 * it mapped them, or ~0 for frames not mapped). */
struct gnttab_setup_table {
	domid_t dom;	     /* IN */
	uint32_t nr_frames;  /* IN */
	int16_t status;	     /* OUT */
	uint64_t frame_list; /* IN: guest handle of uint64_t[nr_frames] */
};

/* Current and maximum size of dom's grant table, in frames. */
struct gnttab_query_size {
	domid_t dom;		/* IN */
	uint32_t nr_frames;	/* OUT */
	uint32_t max_nr_frames; /* OUT */
	int16_t status;		/* OUT */
};

/* Copy between grants and/or the caller's own frames. */
#define GNTCOPY_source_gref (1u << 0)
#define GNTCOPY_dest_gref (1u << 1)

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref; /* with GNTCOPY_*_gref */
		uint64_t gmfn;	 /* without: a frame of the caller (domid DOMID_SELF) */
	} u;
	domid_t domid;
	uint16_t offset;
};

struct gnttab_copy {
	struct gnttab_copy_ptr source, dest; /* IN */
	uint16_t len;			     /* IN: bytes; offset + len within one page */
	uint16_t flags;			     /* IN: GNTCOPY_* */
	int16_t status;			     /* OUT */
};

/* Transfer a frame to another domain (PV only). */
struct gnttab_transfer {
	uint64_t mfn;	 /* IN */
	domid_t domid;	 /* IN */
	grant_ref_t ref; /* IN */
	int16_t status;	 /* OUT */
};

struct gnttab_set_version {
	uint32_t version; /* IN: 1 or 2; OUT: the version in force */
};

struct gnttab_get_version {
	domid_t dom; /* IN */
	uint16_t pad;
	uint32_t version; /* OUT */
};

struct gnttab_get_status_frames {
	uint32_t nr_frames;  /* IN */
	domid_t dom;	     /* IN */
	int16_t status;	     /* OUT */
	uint64_t frame_list; /* IN: guest handle of uint64_t[nr_frames] */
};

/* Swap two entries of the caller's own table (neither may be in use). */
struct gnttab_swap_grant_ref {
	grant_ref_t ref_a, ref_b; /* IN */
	int16_t status;		  /* OUT */
};

/* ------------------------------------------------------------ memory_op */

#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_grant_table 1 /* idx: frame number (| status bit, v2) */
#define XENMAPSPACE_gmfn 2
#define XENMAPSPACE_gmfn_range 3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio 5
#define XENMAPIDX_grant_table_status 0x80000000u

/* ------------------------------------------------------------ compat (i386) */

/* A 64-bit field as i386 lays it out: 4-byte aligned. */
typedef uint64_t compat_u64 __attribute__((aligned(4)));

struct compat_gnttab_setup_table {
	domid_t dom;
	uint32_t nr_frames;
	int16_t status;
	uint32_t frame_list; /* guest handle of uint32_t[nr_frames] (xen_pfn_t) */
};

struct compat_gnttab_copy_ptr {
	uint32_t ref_or_gmfn; /* union of grant_ref_t and a 32-bit xen_pfn_t */
	domid_t domid;
	uint16_t offset;
};

struct compat_gnttab_copy {
	struct compat_gnttab_copy_ptr source, dest;
	uint16_t len;
	uint16_t flags;
	int16_t status;
};

struct compat_gnttab_get_status_frames {
	uint32_t nr_frames;
	domid_t dom;
	int16_t status;
	uint32_t frame_list; /* guest handle of uint64_t[nr_frames] */
};

/* The structs that have the same layout in both modes, spelt with i386's
 * alignment of 64-bit fields, to check that they do. */
struct i386_gnttab_map_grant_ref {
	compat_u64 host_addr;
	uint32_t flags;
	grant_ref_t ref;
	domid_t dom;
	int16_t status;
	grant_handle_t handle;
	compat_u64 dev_bus_addr;
};

struct i386_gnttab_unmap_grant_ref {
	compat_u64 host_addr, dev_bus_addr;
	grant_handle_t handle;
	int16_t status;
};

struct i386_gnttab_unmap_and_replace {
	compat_u64 host_addr, new_addr;
	grant_handle_t handle;
	int16_t status;
};

/* ------------------------------------------------------------ layout checks */

_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1");
_Static_assert(offsetof(struct grant_entry_v1, domid) == 2 && offsetof(struct grant_entry_v1, frame) == 4,
	       "grant_entry_v1 fields");
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "map_grant_ref");
_Static_assert(offsetof(struct gnttab_map_grant_ref, flags) == 8 && offsetof(struct gnttab_map_grant_ref, ref) == 12 &&
		       offsetof(struct gnttab_map_grant_ref, dom) == 16 &&
		       offsetof(struct gnttab_map_grant_ref, status) == 18 &&
		       offsetof(struct gnttab_map_grant_ref, handle) == 20 &&
		       offsetof(struct gnttab_map_grant_ref, dev_bus_addr) == 24,
	       "map_grant_ref fields");
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "unmap_grant_ref");
_Static_assert(offsetof(struct gnttab_unmap_grant_ref, handle) == 16 &&
		       offsetof(struct gnttab_unmap_grant_ref, status) == 20,
	       "unmap_grant_ref fields");
_Static_assert(sizeof(struct gnttab_unmap_and_replace) == 24, "unmap_and_replace");
_Static_assert(offsetof(struct gnttab_unmap_and_replace, handle) == 16 &&
		       offsetof(struct gnttab_unmap_and_replace, status) == 20,
	       "unmap_and_replace fields");
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "setup_table");
_Static_assert(offsetof(struct gnttab_setup_table, nr_frames) == 4 &&
		       offsetof(struct gnttab_setup_table, status) == 8 &&
		       offsetof(struct gnttab_setup_table, frame_list) == 16,
	       "setup_table fields");
_Static_assert(sizeof(struct gnttab_query_size) == 16, "query_size");
_Static_assert(offsetof(struct gnttab_query_size, nr_frames) == 4 &&
		       offsetof(struct gnttab_query_size, max_nr_frames) == 8 &&
		       offsetof(struct gnttab_query_size, status) == 12,
	       "query_size fields");
_Static_assert(sizeof(struct gnttab_copy_ptr) == 16, "copy_ptr");
_Static_assert(offsetof(struct gnttab_copy_ptr, domid) == 8 && offsetof(struct gnttab_copy_ptr, offset) == 10,
	       "copy_ptr fields");
_Static_assert(sizeof(struct gnttab_copy) == 40, "copy");
_Static_assert(offsetof(struct gnttab_copy, dest) == 16 && offsetof(struct gnttab_copy, len) == 32 &&
		       offsetof(struct gnttab_copy, flags) == 34 && offsetof(struct gnttab_copy, status) == 36,
	       "copy fields");
_Static_assert(sizeof(struct gnttab_transfer) == 24, "transfer");
_Static_assert(offsetof(struct gnttab_transfer, domid) == 8 && offsetof(struct gnttab_transfer, ref) == 12 &&
		       offsetof(struct gnttab_transfer, status) == 16,
	       "transfer fields");
_Static_assert(sizeof(struct gnttab_set_version) == 4, "set_version");
_Static_assert(sizeof(struct gnttab_get_version) == 8 && offsetof(struct gnttab_get_version, version) == 4,
	       "get_version");
_Static_assert(sizeof(struct gnttab_get_status_frames) == 16, "get_status_frames");
_Static_assert(offsetof(struct gnttab_get_status_frames, dom) == 4 &&
		       offsetof(struct gnttab_get_status_frames, status) == 6 &&
		       offsetof(struct gnttab_get_status_frames, frame_list) == 8,
	       "get_status_frames fields");
_Static_assert(sizeof(struct gnttab_swap_grant_ref) == 12 && offsetof(struct gnttab_swap_grant_ref, status) == 8,
	       "swap_grant_ref");

/* compat */
_Static_assert(sizeof(struct compat_gnttab_setup_table) == 16, "compat setup_table");
_Static_assert(offsetof(struct compat_gnttab_setup_table, nr_frames) == 4 &&
		       offsetof(struct compat_gnttab_setup_table, status) == 8 &&
		       offsetof(struct compat_gnttab_setup_table, frame_list) == 12,
	       "compat setup_table fields");
_Static_assert(sizeof(struct compat_gnttab_copy_ptr) == 8 && offsetof(struct compat_gnttab_copy_ptr, domid) == 4 &&
		       offsetof(struct compat_gnttab_copy_ptr, offset) == 6,
	       "compat copy_ptr");
_Static_assert(sizeof(struct compat_gnttab_copy) == 24, "compat copy");
_Static_assert(offsetof(struct compat_gnttab_copy, dest) == 8 && offsetof(struct compat_gnttab_copy, len) == 16 &&
		       offsetof(struct compat_gnttab_copy, flags) == 18 &&
		       offsetof(struct compat_gnttab_copy, status) == 20,
	       "compat copy fields");
_Static_assert(sizeof(struct compat_gnttab_get_status_frames) == 12 &&
		       offsetof(struct compat_gnttab_get_status_frames, status) == 6 &&
		       offsetof(struct compat_gnttab_get_status_frames, frame_list) == 8,
	       "compat get_status_frames");
/* the same in both modes (query_size, set/get_version and swap have no
 * 64-bit field and no handle, so i386 lays them out as x86-64 does) */
_Static_assert(_Alignof(compat_u64) == 4, "compat_u64");
_Static_assert(sizeof(struct i386_gnttab_map_grant_ref) == sizeof(struct gnttab_map_grant_ref) &&
		       offsetof(struct i386_gnttab_map_grant_ref, dom) == offsetof(struct gnttab_map_grant_ref, dom) &&
		       offsetof(struct i386_gnttab_map_grant_ref, status) ==
			       offsetof(struct gnttab_map_grant_ref, status) &&
		       offsetof(struct i386_gnttab_map_grant_ref, handle) ==
			       offsetof(struct gnttab_map_grant_ref, handle) &&
		       offsetof(struct i386_gnttab_map_grant_ref, dev_bus_addr) ==
			       offsetof(struct gnttab_map_grant_ref, dev_bus_addr),
	       "map_grant_ref is the same in i386");
_Static_assert(sizeof(struct i386_gnttab_unmap_grant_ref) == sizeof(struct gnttab_unmap_grant_ref) &&
		       offsetof(struct i386_gnttab_unmap_grant_ref, handle) ==
			       offsetof(struct gnttab_unmap_grant_ref, handle) &&
		       offsetof(struct i386_gnttab_unmap_grant_ref, status) ==
			       offsetof(struct gnttab_unmap_grant_ref, status),
	       "unmap_grant_ref is the same in i386");
_Static_assert(sizeof(struct i386_gnttab_unmap_and_replace) == sizeof(struct gnttab_unmap_and_replace) &&
		       offsetof(struct i386_gnttab_unmap_and_replace, status) ==
			       offsetof(struct gnttab_unmap_and_replace, status),
	       "unmap_and_replace is the same in i386");

#endif
