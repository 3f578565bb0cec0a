/** The samples module; see docs/architecture in the README for its role. Filled by its own issue. */
package dev.quantize.samples;
