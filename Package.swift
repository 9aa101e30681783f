// swift-tools-version:6.1
//
// klpsv user space: ShadowKit (module loading, debugfs clients, kernel log),
// the shadowctl command-line tool, and their tests.

import PackageDescription

let package = Package(
    name: "klpsv",
    products: [
        .library(name: "ShadowKit", targets: ["ShadowKit"]),
        .executable(name: "shadowctl", targets: ["shadowctl"]),
    ],
    dependencies: [
        // Exact versions: every build, offline, gets the same code
        // (Package.resolved is written by `swift package resolve` in make setup).
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CKmod",
            pkgConfig: "libkmod",
            providers: [.apt(["libkmod-dev"])]
        ),
        .target(
            name: "ShadowKit",
            dependencies: [
                "CKmod",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "shadowctl",
            dependencies: [
                "ShadowKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ShadowKitTests",
            dependencies: [
                "ShadowKit",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "ShadowctlTests",
            dependencies: ["shadowctl", "ShadowKit"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "ShadowKit",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
    ]
)
