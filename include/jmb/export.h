/* What libjmb exports: libjmb is built with -fvisibility=hidden, and only the
 * functions declared with JMB_EXPORT in include/jmb/ are visible to plugins. */
#ifndef JMB_PUBLIC_EXPORT_H
#define JMB_PUBLIC_EXPORT_H

#define JMB_EXPORT __attribute__((visibility("default")))

#endif
