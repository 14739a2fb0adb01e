import XCTest  // placeholder: man-page and completion checks land here
