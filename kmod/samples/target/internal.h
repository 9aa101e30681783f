/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - what the parts of klpsv_target.ko share
 */
#ifndef _KLPSV_TARGET_INTERNAL_H
#define _KLPSV_TARGET_INTERNAL_H

#include <linux/mutex.h>
#include <linux/seq_file.h>

/* Most objects one "new" or "free" command handles. */
#define KLPSV_TARGET_BATCH_MAX	1000

extern struct mutex klpsv_target_mutex;

/* objects.c */
int klpsv_target_new(unsigned int count);
int klpsv_target_free_oldest(unsigned int count);
unsigned long klpsv_target_count(void);
void klpsv_target_touch_all(void);
void klpsv_target_show_all(struct seq_file *m);
void klpsv_target_clear(void);

/* churn.c */
void klpsv_target_churn_stop(void);

/* nap.c */
int klpsv_target_hold_start(void);
int klpsv_target_hold_stop(void);

/* debugfs.c */
int klpsv_target_debugfs_init(void);
void klpsv_target_debugfs_exit(void);

#endif /* _KLPSV_TARGET_INTERNAL_H */
