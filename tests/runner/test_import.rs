//! Importing the published table (issue: import and rebuild).
