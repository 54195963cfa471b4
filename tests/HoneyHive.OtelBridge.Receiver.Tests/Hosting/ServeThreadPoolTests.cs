// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Receiver.Hosting;

namespace HoneyHive.OtelBridge.Receiver.Tests.Hosting;

/// <summary>
/// <c>serve</c>'s thread pool: how it reads whether hill climbing is off, as the runtime does (the environment
/// variable, a hexadecimal number, <c>DOTNET_</c> before <c>COMPlus_</c>, over the runtimeconfig switch; this test
/// process's runtimeconfig does not set the switch), and the fewest workers it keeps. The built <c>serve</c> is
/// checked by <c>ServeProcessThreadPoolTests</c> (end to end).
/// </summary>
public sealed class ServeThreadPoolTests
{
    [Theory]
    [InlineData("1", true)]
    [InlineData("0x1", true)]
    [InlineData("A", true)]
    [InlineData("0", false)]
    [InlineData("0x0", false)]
    public void IsHillClimbingDisabled_EnvironmentVariableSet_ItsNumberDecides(string value, bool expected)
    {
        // Act
        var disabled = ServeThreadPool.IsHillClimbingDisabled(name => name == ServeThreadPool.EnvironmentVariable ? value : null);

        // Assert
        Assert.Equal(expected, disabled);
    }

    [Fact]
    public void IsHillClimbingDisabled_OnlyTheComPlusVariable_ItDecides()
    {
        // Act
        var disabled = ServeThreadPool.IsHillClimbingDisabled(name => name == "COMPlus_HillClimbing_Disable" ? "1" : null);

        // Assert
        Assert.True(disabled);
    }

    [Fact]
    public void IsHillClimbingDisabled_BothVariables_TheDotnetOneWins()
    {
        // Act
        var disabled = ServeThreadPool.IsHillClimbingDisabled(name => name == ServeThreadPool.EnvironmentVariable ? "0" : "1");

        // Assert
        Assert.False(disabled);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("yes")]
    public void IsHillClimbingDisabled_NoNumberInTheEnvironment_TheRuntimeconfigSwitchDecides(string? value)
    {
        // Act: this process's runtimeconfig does not carry the switch.
        var disabled = ServeThreadPool.IsHillClimbingDisabled(name => name == ServeThreadPool.EnvironmentVariable ? value : null);

        // Assert
        Assert.Equal(AppContext.TryGetSwitch(ServeThreadPool.SwitchName, out var set) && set, disabled);
        Assert.False(disabled);
    }

    [Theory]
    [InlineData(false, 2, 2, 2)]
    [InlineData(false, 16, 16, 16)]
    [InlineData(true, 2, 2, 8)]
    [InlineData(true, 16, 16, 64)]
    [InlineData(true, 2, 100, 100)]
    public void MinWorkers_OneACoreUnlessEveryAppendWaitsForTheDisk(bool logFsync, int processorCount, int currentMinimum, int expected)
    {
        // Act
        var workers = ServeThreadPool.MinWorkers(logFsync, processorCount, currentMinimum);

        // Assert
        Assert.Equal(expected, workers);
    }
}
