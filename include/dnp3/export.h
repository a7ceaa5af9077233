/**
 * \file
 * \brief DNP3_API, the mark of the public functions of every libdnp3 library.
 *
 * The libraries are compiled with -fvisibility=hidden, so only what carries
 * DNP3_API is exported from libdnp3.so.1, libdnp3crypto.so.1 and libdnp3io.so.1;
 * everything else stays internal to the library that defines it. For a static
 * link the mark has no effect. Not part of the DNP3 protocol.
 */
/**
 * \def DNP3_API
 * \brief Marks a public function of a libdnp3 library as exported.
 *
 * With GCC or Clang it expands to `__attribute__((visibility("default")))`
 * (the libraries are compiled with -fvisibility=hidden); with other compilers,
 * and in this reference, it expands to nothing.
 */
#ifndef DNP3_EXPORT_H
#define DNP3_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define DNP3_API __attribute__((visibility("default")))
#else
#define DNP3_API
#endif

#endif
