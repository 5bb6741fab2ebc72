mod bad_input;
mod dataset;
mod digits;
mod encoders;
mod iris;
mod mnist;
mod xor;
mod yin_yang;
