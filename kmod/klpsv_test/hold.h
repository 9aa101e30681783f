/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hold.h - a task that holds a livepatch transition open (klpsv_test.ko)
 *
 * A livepatch that redirects klpsv_test_hold_sleep() to its own function,
 * which calls klpsv_test_hold_wait(), cannot finish its transition while the
 * hook's task sleeps in either.
 */
#ifndef _KLPSV_TEST_HOLD_H
#define _KLPSV_TEST_HOLD_H

void klpsv_test_hold_wait(void);
void klpsv_test_hold_sleep(void);

#endif /* _KLPSV_TEST_HOLD_H */
